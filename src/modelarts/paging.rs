//! Following every page of a paged list, whatever `offset` turns out to count.
//!
//! The reference describes `offset` as the page to start from, but a service counting
//! items is just as plausible. The first page is read at offset 0 and the second at
//! offset 1: if the second only repeats the first, offsets count items from then on.
//! Items are de-duplicated by key, and the walk stops at `total_count`, at an empty page,
//! at a page that adds nothing new, or at [`MAX_PAGES`], so it can never loop forever.
//! A walk that stops short of the `total_count` the service announced is an error, not
//! a short list: a caller would take the missing items for removed ones.

use std::collections::HashSet;
use std::future::Future;

use super::error::ClientError;
use super::models::Page;
use super::transport::Reply;

/// The most pages one list follows before giving up.
pub const MAX_PAGES: u64 = 10_000;

/// One decoded page and the answer that carried it, for errors about the walk.
pub(crate) struct Fetched<T> {
    /// The page.
    pub page: Page<T>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The `X-Request-Id` of the answer.
    pub request_id: Option<String>,
}

impl<T> Fetched<T> {
    /// `page`, decoded from `reply`.
    pub fn new(page: Page<T>, reply: &Reply) -> Self {
        Fetched {
            page,
            status: reply.status,
            request_id: reply.request_id.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OffsetMeaning {
    Unknown,
    Pages,
    Items,
}

/// Reads every page through `fetch(offset)` and returns the distinct items in order.
///
/// Errors: whatever `fetch` returns; a decode error for `operation`, with the request ID
/// of the page at fault, when a page is empty or adds nothing new while fewer items than
/// its `total_count` were read, or when the list does not end within [`MAX_PAGES`] pages.
pub(crate) async fn collect_pages<T, F, Fut>(
    operation: &'static str,
    mut fetch: F,
    key: impl Fn(&T) -> &str,
) -> Result<Vec<T>, ClientError>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Fetched<T>, ClientError>>,
{
    let mut seen: HashSet<String> = HashSet::new();
    let mut items = Vec::new();
    let mut meaning = OffsetMeaning::Unknown;
    for page_index in 0..MAX_PAGES {
        let offset = match meaning {
            OffsetMeaning::Items => seen.len() as u64,
            OffsetMeaning::Unknown | OffsetMeaning::Pages => page_index,
        };
        let Fetched {
            page,
            status,
            request_id,
        } = fetch(offset).await?;

        let fetched = page.items.len();
        let mut fresh = 0;
        for item in page.items {
            if seen.insert(key(&item).to_string()) {
                items.push(item);
                fresh += 1;
            }
        }

        if page
            .total_count
            .is_some_and(|total| seen.len() as u64 >= total)
        {
            return Ok(items);
        }
        if fetched == 0 || fresh == 0 {
            if let Some(total) = page.total_count {
                let what = if fetched == 0 {
                    "came back empty"
                } else {
                    "added nothing new"
                };
                return Err(ClientError::Decode {
                    operation,
                    status,
                    message: format!(
                        "the page at offset {offset} {what} after {} of the {total} items its \
                         total_count announces, so the list is incomplete; it may have changed \
                         while it was read",
                        seen.len()
                    ),
                    request_id,
                });
            }
            return Ok(items);
        }
        if meaning == OffsetMeaning::Unknown && page_index == 1 {
            meaning = if fresh == fetched {
                OffsetMeaning::Pages
            } else {
                OffsetMeaning::Items
            };
        }
    }
    Err(ClientError::Decode {
        operation,
        status: 200,
        message: format!("the list did not end within {MAX_PAGES} pages"),
        request_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A fake list of `total` items served `page_size` at a time.
    fn serve(
        total: usize,
        page_size: usize,
        offset_counts_items: bool,
        report_total: bool,
        offsets: &RefCell<Vec<u64>>,
        offset: u64,
    ) -> Result<Fetched<String>, ClientError> {
        offsets.borrow_mut().push(offset);
        let start = if offset_counts_items {
            offset as usize
        } else {
            offset as usize * page_size
        };
        let items = (start..total.min(start + page_size))
            .map(|i| format!("app-{i:05}"))
            .collect();
        Ok(fetched(items, report_total.then_some(total as u64)))
    }

    fn fetched(items: Vec<String>, total_count: Option<u64>) -> Fetched<String> {
        Fetched {
            page: Page { items, total_count },
            status: 200,
            request_id: Some("req-7".into()),
        }
    }

    /// Both meanings of offset, with and without total_count, yield every item once.
    #[test]
    fn every_item_is_collected_once_under_either_offset_meaning() {
        let cases = [
            ("pages, exact multiple", 300, 100, false, true, 3),
            ("pages, remainder", 250, 100, false, true, 3),
            ("pages, single page", 7, 100, false, true, 1),
            ("pages, empty", 0, 100, false, true, 1),
            ("items, remainder", 250, 100, true, true, 4),
            ("items, page of one", 5, 1, true, true, 5),
            ("pages, no total", 250, 100, false, false, 4),
            ("items, no total", 250, 100, true, false, 5),
        ];
        for (name, total, page_size, by_items, report_total, calls) in cases {
            let offsets = RefCell::new(Vec::new());
            let future = collect_pages(
                "list",
                |offset| {
                    let page = serve(total, page_size, by_items, report_total, &offsets, offset);
                    async move { page }
                },
                |item: &String| item.as_str(),
            );
            let items = futures::executor::block_on(future).unwrap();
            let expected: Vec<String> = (0..total).map(|i| format!("app-{i:05}")).collect();
            assert_eq!(items, expected, "{name}");
            assert_eq!(
                offsets.borrow().len(),
                calls,
                "{name}: {:?}",
                offsets.borrow()
            );
        }
    }

    /// A list that stops short of its total_count fails with the page's request ID.
    #[test]
    fn a_list_short_of_its_total_count_is_an_error() {
        let pages = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                "empty first page",
                vec![],
                1,
                "came back empty after 0 of the 5",
            ),
            (
                "offset ignored",
                pages(&["a", "b"]),
                2,
                "added nothing new after 2 of the 5",
            ),
        ];
        for (name, first, calls, expected) in cases {
            let count = RefCell::new(0);
            let future = collect_pages(
                "list",
                |offset| {
                    *count.borrow_mut() += 1;
                    let items = if offset == 0 || !first.is_empty() {
                        first.clone()
                    } else {
                        Vec::new()
                    };
                    async move { Ok(fetched(items, Some(5))) }
                },
                |item: &String| item.as_str(),
            );
            let error = futures::executor::block_on(future).unwrap_err();
            assert!(
                matches!(error, ClientError::Decode { .. }),
                "{name}: {error}"
            );
            assert_eq!(error.request_id(), Some("req-7"), "{name}");
            assert!(error.to_string().contains(expected), "{name}: {error}");
            assert_eq!(*count.borrow(), calls, "{name}");
        }
    }

    /// Without a total_count, an empty page or one that adds nothing ends the list.
    #[test]
    fn without_a_total_count_a_page_adding_nothing_ends_the_list() {
        let calls = RefCell::new(0);
        let future = collect_pages(
            "list",
            |_| {
                *calls.borrow_mut() += 1;
                let page = fetched(vec!["a".to_string(), "b".to_string()], None);
                async move { Ok(page) }
            },
            |item: &String| item.as_str(),
        );
        let items = futures::executor::block_on(future).unwrap();
        assert_eq!(items, ["a", "b"]);
        assert_eq!(*calls.borrow(), 2);
    }

    /// An error from any page is returned as it is.
    #[test]
    fn a_failing_page_fails_the_list() {
        let future = collect_pages(
            "list",
            |offset| async move {
                if offset == 0 {
                    Ok(fetched(vec!["a".to_string()], Some(2)))
                } else {
                    Err(ClientError::Transport {
                        operation: "list",
                        attempts: 1,
                        message: "refused".into(),
                    })
                }
            },
            |item: &String| item.as_str(),
        );
        let error = futures::executor::block_on(future).unwrap_err();
        assert!(matches!(error, ClientError::Transport { .. }));
    }
}
