//! Group commit, generically: items that arrive while one batch is being written wait for
//! the next, which writes them all at once; each caller hears back only its own result, and
//! only after the batch that held its item is done. It knows nothing of what it writes: the
//! caller hands it a closure that writes one batch and answers each item in order.
//!
//! There is no background task: whoever holds the leader lock writes what is queued, up to
//! its own item, in a task of its own, so a caller that goes away does not abandon the
//! others; then the next caller in line leads.
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::oneshot;

/// Items waiting for the next batch, and the lock whoever writes a batch holds.
#[derive(Debug)]
pub struct Batcher<T, R> {
    queue: Mutex<Vec<(T, oneshot::Sender<R>)>>,
    leader: tokio::sync::Mutex<()>,
    max: usize,
}

impl<T: Send + 'static, R: Send + 'static> Batcher<T, R> {
    /// A batcher that writes at most `max` items at a time.
    pub fn new(max: usize) -> Self {
        Batcher {
            queue: Mutex::new(Vec::new()),
            leader: tokio::sync::Mutex::new(()),
            max: max.max(1),
        }
    }

    /// Items queued for the next batch.
    pub fn waiting(&self) -> usize {
        self.queue().len()
    }

    fn queue(&self) -> MutexGuard<'_, Vec<(T, oneshot::Sender<R>)>> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues `item` and returns its result once a batch holding it was written by `write`.
    /// `None` means the write of its batch was interrupted (its task panicked).
    pub async fn submit<F, Fut>(&self, item: T, write: F) -> Option<R>
    where
        F: Fn(Vec<T>) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Vec<R>> + Send + 'static,
    {
        let (reply, mut answer) = oneshot::channel();
        self.queue().push((item, reply));
        let leader = self.leader.lock().await;
        // The leader writes batches until its own item is answered, then hands over.
        loop {
            match answer.try_recv() {
                Ok(result) => return Some(result),
                Err(oneshot::error::TryRecvError::Closed) => return None,
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let batch: Vec<_> = {
                let mut queue = self.queue();
                let n = queue.len().min(self.max);
                queue.drain(..n).collect()
            };
            if batch.is_empty() {
                // A batch whose leader went away is still being written: wait for it.
                break;
            }
            let (items, replies): (Vec<T>, Vec<_>) = batch.into_iter().unzip();
            let write = write.clone();
            // The write's future is built inside the task and kept on the heap: a batch's
            // database work is a large future, and a task is moved several times on its way
            // through the runtime.
            let _ = tokio::spawn(async move {
                let written = Box::pin(write(items)).await;
                for (reply, result) in replies.into_iter().zip(written) {
                    let _ = reply.send(result);
                }
            })
            .await;
        }
        drop(leader);
        answer.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_item_gets_its_own_answer_and_items_share_batches() {
        let batcher = Arc::new(Batcher::<u32, u32>::new(8));
        let batches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..40u32 {
            let (b, n) = (batcher.clone(), batches.clone());
            tasks.push(tokio::spawn(async move {
                b.submit(i, move |items: Vec<u32>| {
                    n.fetch_add(1, Ordering::SeqCst);
                    async move {
                        tokio::task::yield_now().await;
                        items.into_iter().map(|x| x * 2).collect()
                    }
                })
                .await
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.ok().flatten(), Some(i as u32 * 2));
        }
        assert!(batches.load(Ordering::SeqCst) <= 40);
        assert_eq!(batcher.waiting(), 0);
    }
}
