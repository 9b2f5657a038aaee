//! A small SMTP server for tests, on a random loopback port: EHLO/HELO, MAIL, RCPT, DATA
//! (with dot-unstuffing), RSET, NOOP, QUIT. It captures envelopes and raw messages, can
//! answer 4xx or 5xx to RCPT or DATA for the next N messages, and can be stopped and started
//! again on the same port to play an SMTP server that is down.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Captured {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent, CRLF line ends, dot-unstuffed.
    pub raw: String,
}

/// Which command a planned failure answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Rcpt,
    Data,
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<Captured>>,
    faults: Mutex<Vec<(Stage, u16, usize)>>,
}

pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    count: watch::Sender<usize>,
    running: Mutex<Option<(CancellationToken, JoinHandle<()>)>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let addr = listener.local_addr().expect("smtp addr");
        let server = SmtpServer {
            addr,
            shared: Arc::default(),
            count: watch::Sender::new(0),
            running: Mutex::new(None),
        };
        server.serve(listener);
        server
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    fn serve(&self, listener: TcpListener) {
        let token = CancellationToken::new();
        let (shared, count, stop) = (self.shared.clone(), self.count.clone(), token.clone());
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let (shared, count, stop) = (shared.clone(), count.clone(), stop.clone());
                        tokio::spawn(async move {
                            tokio::select! {
                                () = stop.cancelled() => {}
                                _ = session(stream, shared, count) => {}
                            }
                        });
                    }
                }
            }
        });
        *self.running.lock().unwrap() = Some((token, task));
    }

    /// Stops listening and drops every open connection: the server is down.
    pub async fn stop(&self) {
        let running = self.running.lock().unwrap().take();
        if let Some((token, task)) = running {
            token.cancel();
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(self.addr).await.expect("rebind smtp");
        self.serve(listener);
    }

    /// Answers `code` at `stage` for the next `messages` messages.
    pub fn fail_next(&self, stage: Stage, code: u16, messages: usize) {
        self.shared
            .faults
            .lock()
            .unwrap()
            .push((stage, code, messages));
    }

    pub fn messages(&self) -> Vec<Captured> {
        self.shared.mails.lock().unwrap().clone()
    }

    /// Waits (bounded) until at least `n` messages arrived, and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        let mut rx = self.count.subscribe();
        tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("expected {n} mails, got {}", self.messages().len()))
            .expect("smtp server alive");
        self.messages()
    }
}

fn take_fault(shared: &Shared, stage: Stage) -> Option<u16> {
    let mut faults = shared.faults.lock().unwrap();
    let f = faults.iter_mut().find(|f| f.0 == stage && f.2 > 0)?;
    f.2 -= 1;
    Some(f.1)
}

fn reply_for(code: u16) -> String {
    if code >= 500 {
        format!("{code} 5.1.1 rejected for good\r\n")
    } else {
        format!("{code} 4.3.0 try again later\r\n")
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>, count: watch::Sender<usize>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut from = String::new();
    let mut rcpt: Vec<String> = Vec::new();
    if write
        .write_all(b"220 localhost test ESMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") {
            "250-localhost\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n".to_owned()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK\r\n".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            from = addr(&cmd[10..]);
            rcpt.clear();
            "250 OK\r\n".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            match take_fault(&shared, Stage::Rcpt) {
                Some(code) => reply_for(code),
                None => {
                    rcpt.push(addr(&cmd[8..]));
                    "250 OK\r\n".to_owned()
                }
            }
        } else if upper == "DATA" {
            if let Some(code) = take_fault(&shared, Stage::Data) {
                reply_for(code)
            } else {
                if write.write_all(b"354 end with .\r\n").await.is_err() {
                    return;
                }
                let Some(raw) = read_data(&mut lines).await else {
                    return;
                };
                shared.mails.lock().unwrap().push(Captured {
                    mail_from: std::mem::take(&mut from),
                    rcpt_to: std::mem::take(&mut rcpt),
                    raw,
                });
                count.send_modify(|c| *c += 1);
                "250 OK queued\r\n".to_owned()
            }
        } else if upper.starts_with("RSET") {
            from.clear();
            rcpt.clear();
            "250 OK\r\n".to_owned()
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "500 unknown command\r\n".to_owned()
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut raw = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        if line == ".\r\n" || line == ".\n" {
            return Some(raw);
        }
        let unstuffed = line.strip_prefix('.').filter(|_| line.starts_with(".."));
        raw.push_str(unstuffed.unwrap_or(&line));
    }
}

fn addr(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or_default()
        .to_owned()
}
