//! The authorizations of a project: by API, then by app, plus how many APIs each app
//! is bound to. Every app in a reply shows that count (`bounded_api_count`), so it is
//! kept up to date on every change rather than counted per read; the maps are private
//! so that no change can bypass the count. Cancelled authorizations that lagging reads
//! still show are kept apart: they count for nothing but those reads.

use std::collections::{btree_map, BTreeMap, HashMap};

/// Key of an API inside a project: service id and API id.
pub type ApiKey = (String, String);

/// One live authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Id of the authorization.
    pub auth_id: String,
    /// Reads that still must not see it (the `read_lag_reads` setting).
    pub hidden_reads: u32,
}

/// The authorizations of one project. No API holds an empty map of apps.
#[derive(Debug, Clone, Default)]
pub struct Authorizations {
    by_api: BTreeMap<ApiKey, BTreeMap<String, Authorization>>,
    bound: HashMap<String, usize>,
    /// Cancelled authorizations, by API then app, with how many more reads still show
    /// them (the `read_lag_reads` setting). No API holds an empty map.
    lingering: BTreeMap<ApiKey, BTreeMap<String, u32>>,
}

impl Authorizations {
    /// The authorization of `app_id` to the API, if there is one.
    pub fn get(&self, key: &ApiKey, app_id: &str) -> Option<&Authorization> {
        self.by_api.get(key)?.get(app_id)
    }

    /// Authorizes the API to `app_id`; an existing authorization is left as it is.
    /// Returns true when the authorization is new.
    pub fn insert(&mut self, key: ApiKey, app_id: &str, auth: Authorization) -> bool {
        self.forget_lingering(&key, app_id);
        let apps = self.by_api.entry(key).or_default();
        if apps.contains_key(app_id) {
            return false;
        }
        apps.insert(app_id.to_string(), auth);
        *self.bound.entry(app_id.to_string()).or_default() += 1;
        true
    }

    /// Cancels the authorization of the API to `app_id`, returning it if it existed.
    pub fn remove(&mut self, key: &ApiKey, app_id: &str) -> Option<Authorization> {
        let apps = self.by_api.get_mut(key)?;
        let removed = apps.remove(app_id)?;
        if apps.is_empty() {
            self.by_api.remove(key);
        }
        self.unbind(app_id);
        Some(removed)
    }

    /// Lets the next `reads` reads of the API still show `app_id`, whose authorization
    /// was just cancelled, as lagging replicas do. Nothing else sees it.
    pub fn linger(&mut self, key: &ApiKey, app_id: &str, reads: u32) {
        if reads > 0 {
            let apps = self.lingering.entry(key.clone()).or_default();
            apps.insert(app_id.to_string(), reads);
        }
    }

    fn forget_lingering(&mut self, key: &ApiKey, app_id: &str) {
        if let Some(apps) = self.lingering.get_mut(key) {
            apps.remove(app_id);
            if apps.is_empty() {
                self.lingering.remove(key);
            }
        }
    }

    /// The cancelled apps this read of the API still shows, sorted; the read counts
    /// against each of them.
    pub fn lingering_of_api(&mut self, key: &ApiKey) -> Vec<String> {
        let Some(apps) = self.lingering.get_mut(key) else {
            return Vec::new();
        };
        let shown = apps.keys().cloned().collect();
        apps.retain(|_, reads| {
            *reads -= 1;
            *reads > 0
        });
        if apps.is_empty() {
            self.lingering.remove(key);
        }
        shown
    }

    /// The APIs whose cancelled authorization of `app_id` this read of the app still
    /// shows; the read counts against each of them.
    pub fn lingering_of_app(&mut self, app_id: &str) -> Vec<ApiKey> {
        let keys: Vec<ApiKey> = self
            .lingering
            .iter()
            .filter(|(_, apps)| apps.contains_key(app_id))
            .map(|(key, _)| key.clone())
            .collect();
        for key in &keys {
            let reads = self.lingering.get_mut(key).and_then(|a| a.get_mut(app_id));
            match reads {
                Some(reads) if *reads > 1 => *reads -= 1,
                _ => self.forget_lingering(key, app_id),
            }
        }
        keys
    }

    /// Cancels every authorization of the API (when the API itself goes).
    pub fn remove_api(&mut self, key: &ApiKey) {
        for app_id in self.by_api.remove(key).unwrap_or_default().keys() {
            self.unbind(app_id);
        }
        self.lingering.remove(key);
    }

    fn unbind(&mut self, app_id: &str) {
        if let Some(count) = self.bound.get_mut(app_id) {
            *count -= 1;
            if *count == 0 {
                self.bound.remove(app_id);
            }
        }
    }

    /// How many APIs are authorized to `app_id`, in any workspace.
    pub fn bound_api_count(&self, app_id: &str) -> usize {
        self.bound.get(app_id).copied().unwrap_or(0)
    }

    /// The apps authorized to the API, by app id. Only the authorizations themselves
    /// are mutable (to count down hidden reads), not which apps are authorized.
    pub fn of_api_mut(
        &mut self,
        key: &ApiKey,
    ) -> impl Iterator<Item = (&String, &mut Authorization)> {
        self.by_api.get_mut(key).into_iter().flatten()
    }

    /// The APIs authorized to `app_id`, by key, with their authorization (mutable for
    /// the same reason as in [`Authorizations::of_api_mut`]).
    pub fn of_app_mut<'a>(
        &'a mut self,
        app_id: &'a str,
    ) -> impl Iterator<Item = (&'a ApiKey, &'a mut Authorization)> + 'a {
        self.by_api
            .iter_mut()
            .filter_map(move |(key, apps)| Some((key, apps.get_mut(app_id)?)))
    }

    /// Every API with authorizations, sorted by key, with its apps sorted by id.
    pub fn by_api(
        &self,
    ) -> impl Iterator<Item = (&ApiKey, btree_map::Iter<'_, String, Authorization>)> {
        self.by_api.iter().map(|(key, apps)| (key, apps.iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(api: &str) -> ApiKey {
        ("svc".to_string(), api.to_string())
    }

    fn auth(id: &str) -> Authorization {
        Authorization {
            auth_id: id.to_string(),
            hidden_reads: 0,
        }
    }

    /// The per-app counts, recounted from the authorizations themselves.
    fn recount(auths: &Authorizations) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (app_id, _) in auths.by_api().flat_map(|(_, apps)| apps) {
            *counts.entry(app_id.clone()).or_default() += 1;
        }
        counts
    }

    /// After every kind of change, each app's bound count equals a recount, and no API
    /// is left holding an empty map.
    #[test]
    fn bound_counts_follow_every_change() {
        type Step = (&'static str, fn(&mut Authorizations));
        let steps: [Step; 9] = [
            ("authorize a to 1", |a| {
                assert!(a.insert(key("1"), "a", auth("x")))
            }),
            ("authorize b to 1", |a| {
                assert!(a.insert(key("1"), "b", auth("y")))
            }),
            ("authorize a to 2", |a| {
                assert!(a.insert(key("2"), "a", auth("z")))
            }),
            ("authorize a to 1 again", |a| {
                assert!(!a.insert(key("1"), "a", auth("other")));
                assert_eq!(a.get(&key("1"), "a"), Some(&auth("x")), "kept as it was");
            }),
            ("cancel b from 1", |a| {
                assert_eq!(a.remove(&key("1"), "b"), Some(auth("y")))
            }),
            ("cancel b from 1 again", |a| {
                assert_eq!(a.remove(&key("1"), "b"), None)
            }),
            ("cancel from an unknown API", |a| {
                assert_eq!(a.remove(&key("9"), "a"), None)
            }),
            ("authorize c to 2", |a| {
                assert!(a.insert(key("2"), "c", auth("w")))
            }),
            ("delete API 2", |a| a.remove_api(&key("2"))),
        ];
        let mut auths = Authorizations::default();
        for (name, step) in steps {
            step(&mut auths);
            let expected = recount(&auths);
            for app_id in ["a", "b", "c", "d"] {
                assert_eq!(
                    auths.bound_api_count(app_id),
                    expected.get(app_id).copied().unwrap_or(0),
                    "{name}: app {app_id}"
                );
            }
            assert!(
                auths.by_api.values().all(|apps| !apps.is_empty()),
                "{name}: an API holds no apps"
            );
        }
        assert_eq!(auths.bound_api_count("a"), 1, "only API 1 is left");
        assert!(auths.bound.values().all(|n| *n > 0), "no zero counts kept");
    }

    /// A cancelled authorization is shown to exactly the reads asked, of its API or
    /// its app, counted together; it binds nothing, and authorizing the app again or
    /// deleting the API ends it.
    #[test]
    fn cancelled_authorizations_linger_for_the_reads_asked() {
        let mut auths = Authorizations::default();
        auths.insert(key("1"), "a", auth("x"));
        auths.remove(&key("1"), "a");
        auths.linger(&key("1"), "a", 3);
        auths.linger(&key("1"), "b", 0);
        assert_eq!(
            auths.bound_api_count("a"),
            0,
            "a lingering app binds nothing"
        );
        assert_eq!(auths.get(&key("1"), "a"), None);
        assert!(auths.lingering_of_api(&key("2")).is_empty(), "other APIs");
        assert_eq!(auths.lingering_of_api(&key("1")), ["a"], "read 1");
        assert_eq!(auths.lingering_of_app("a"), [key("1")], "read 2");
        assert!(auths.lingering_of_app("b").is_empty(), "no lag asked for b");
        assert_eq!(auths.lingering_of_api(&key("1")), ["a"], "read 3");
        assert!(auths.lingering_of_api(&key("1")).is_empty(), "read 4");
        assert!(auths.lingering.is_empty(), "nothing left behind");

        auths.linger(&key("1"), "a", 5);
        auths.insert(key("1"), "a", auth("y"));
        auths.remove(&key("1"), "a");
        assert!(auths.lingering_of_app("a").is_empty(), "authorized again");
        auths.linger(&key("2"), "a", 5);
        auths.remove_api(&key("2"));
        assert!(auths.lingering_of_api(&key("2")).is_empty(), "API deleted");
    }
}
