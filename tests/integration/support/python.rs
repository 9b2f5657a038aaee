//! Independent checkers written in Python (feedparser, dkimpy): run a script with input on
//! stdin. A missing interpreter or module skips the check locally and fails it under CI
//! (env `CI` set), where `.ci/run` installs them.
use std::io::Write;
use std::process::{Command, Stdio};

/// Whether `python3` can import `module`.
pub fn has(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 cannot import {module}: `pip install {module}` (CI installs it)"
        );
        eprintln!("skipping the {module} check: python3 cannot import it");
    }
    ok
}

/// Runs `script` with `input` on stdin and `args` after it; returns stdout, panicking with
/// stderr when the script fails.
pub fn run(script: &str, input: &[u8], args: &[&str]) -> String {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let out = child.wait_with_output().expect("python3 ends");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python script failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
