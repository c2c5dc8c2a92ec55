//! Single flight: identical reads in flight at the same time share one request, so N
//! resources refreshing the same API at once cost the service one read.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt, Shared};

/// The shared answer of one flight; `None` when its task died without answering.
pub(crate) type Flight<T> = Shared<BoxFuture<'static, Option<T>>>;

/// The flights in progress, by key. An entry lives from the first request for its key
/// until that request's answer is in.
pub(crate) struct SingleFlight<T: Clone> {
    flights: Mutex<HashMap<String, (u64, Flight<T>)>>,
    next_id: AtomicU64,
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    /// No flights yet.
    pub fn new() -> Self {
        SingleFlight {
            flights: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        }
    }

    /// Joins the flight for `key`, or starts one running `work()` on its own task. The
    /// task finishes even if every caller stops waiting, so its entry always goes away.
    pub fn join<F, Fut>(self: &Arc<Self>, key: String, work: F) -> Flight<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        let mut flights = self.flights.lock().expect("flight map poisoned");
        if let Some((_, flight)) = flights.get(&key) {
            return flight.clone();
        }
        // The task removes its entry under this same lock, so it cannot finish before
        // the entry exists.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let this = Arc::clone(self);
        let task_key = key.clone();
        let future = work();
        let task = tokio::spawn(async move {
            let answer = future.await;
            let mut flights = this.flights.lock().expect("flight map poisoned");
            if flights
                .get(&task_key)
                .is_some_and(|(flight, _)| *flight == id)
            {
                flights.remove(&task_key);
            }
            answer
        });
        let flight = async move { task.await.ok() }.boxed().shared();
        flights.insert(key, (id, flight.clone()));
        flight
    }

    /// Stops new callers from joining any flight now in progress: after a write, a read
    /// that started before it may not reflect it.
    pub fn forget_all(&self) {
        self.flights.lock().expect("flight map poisoned").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    fn counted_work(
        runs: &Arc<AtomicUsize>,
        answer: u32,
    ) -> impl FnOnce() -> BoxFuture<'static, u32> {
        let runs = Arc::clone(runs);
        move || {
            async move {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                answer
            }
            .boxed()
        }
    }

    /// Callers of one key share one run; another key runs on its own.
    #[tokio::test]
    async fn identical_keys_share_one_run() {
        let flights = Arc::new(SingleFlight::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let waiting: Vec<_> = (0..10)
            .map(|_| flights.join("a".into(), counted_work(&runs, 1)))
            .chain([flights.join("b".into(), counted_work(&runs, 2))])
            .collect();
        let answers = futures::future::join_all(waiting).await;
        assert_eq!(answers.iter().filter(|a| **a == Some(1)).count(), 10);
        assert_eq!(answers.last(), Some(&Some(2)));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    /// A finished flight is not reused, and a forgotten one is not joined.
    #[tokio::test]
    async fn finished_and_forgotten_flights_are_not_joined() {
        let flights = Arc::new(SingleFlight::new());
        let runs = Arc::new(AtomicUsize::new(0));
        flights.join("a".into(), counted_work(&runs, 1)).await;
        flights.join("a".into(), counted_work(&runs, 1)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        let first = flights.join("a".into(), counted_work(&runs, 1));
        flights.forget_all();
        let second = flights.join("a".into(), counted_work(&runs, 1));
        let _ = futures::future::join(first, second).await;
        assert_eq!(runs.load(Ordering::SeqCst), 4);
        assert!(flights.flights.lock().unwrap().is_empty());
    }
}
