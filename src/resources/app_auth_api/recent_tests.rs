//! Tests of the recent-write record: how it is stored, how each hook treats it, and
//! how a read waits for apps a lagging service does not show yet.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use tf_provider::value::{StructEmpty, Value, ValueEmpty};
use tf_provider::{Diagnostics, DynamicResource, Resource};

use super::super::fixtures::set;
use super::super::state::{app_set, AppAuthApiState};
use super::super::successor::{Carried, Successor};
use super::super::AppAuthApiResource;
use super::*;
use crate::modelarts::{ClientConfig, Credentials, ModelArtsClient, Secret};
use crate::provider::shared::{ProviderData, SharedProvider};
use crate::resources::strict::Strict;

fn written(age_ms: i64) -> RecentWrite {
    RecentWrite {
        written_at_ms: unix_ms().saturating_add_signed(-age_ms),
        cancelled: BTreeSet::new(),
    }
}

fn msgpack<T: Serialize>(value: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(value).expect("serialisable")
}

/// A record survives the trip through Terraform's private bytes; what older states
/// hold, or anything else that is not a record, reads as no record.
#[test]
fn private_state_round_trips_and_old_states_read_as_none() {
    let record = Private(Some(written(0)));
    let decoded: Private = rmp_serde::from_slice(&msgpack(&record)).expect("a record");
    assert_eq!(decoded, record, "round trip");
    let with_cancels = Private(Some(RecentWrite {
        cancelled: set(&["a", "b"]),
        ..written(0)
    }));
    let decoded: Private = rmp_serde::from_slice(&msgpack(&with_cancels)).expect("a record");
    assert_eq!(decoded, with_cancels, "round trip with cancels");

    let empty = ValueEmpty::Null;
    let empty_object = Value::Value(StructEmpty {});
    let cases = [
        ("nil, as states before the record hold", msgpack(&empty)),
        ("an empty object", msgpack(&empty_object)),
        ("no record", msgpack(&Private(None))),
        (
            "a map of other fields",
            msgpack(&serde_json::json!({"v": 2})),
        ),
        ("a string", msgpack(&"x")),
        (
            "a map, as a record without its time",
            msgpack(&serde_json::json!({"app_ids": ["a"]})),
        ),
        ("a negative number", msgpack(&-5)),
        ("a pair without apps", msgpack(&(5, "a"))),
    ];
    for (name, bytes) in cases {
        let decoded: Private = rmp_serde::from_slice(&bytes).expect(name);
        assert_eq!(decoded, Private(None), "{name}");
    }
}

/// Only a write that authorized or cancelled something leaves a record, stamped now;
/// one that only authorized keeps the stamp alone.
#[test]
fn a_write_records_what_it_changed() {
    assert_eq!(Private::after_write(&set(&[]), &set(&[])), Private(None));
    let Private(Some(write)) = Private::after_write(&set(&["a"]), &set(&[])) else {
        panic!("a write that authorized an app leaves a record");
    };
    assert!(
        msgpack(&Private(Some(write.clone()))).len() <= 9,
        "a stamp, no more"
    );
    assert!(write.window_left(GRACE_WINDOW) > Duration::ZERO);
    let Private(Some(write)) = Private::after_write(&set(&[]), &set(&["c"])) else {
        panic!("a write that cancelled an app leaves a record");
    };
    assert_eq!(write.cancelled, set(&["c"]));
    assert!(write.window_left(GRACE_WINDOW) > Duration::ZERO);
}

fn resource() -> AppAuthApiResource {
    AppAuthApiResource::new(SharedProvider::default())
}

/// The resource, configured with a client whose every call fails to connect.
fn offline_resource() -> AppAuthApiResource {
    let config = ClientConfig {
        endpoint: "http://127.0.0.1:9".into(),
        credentials: Credentials::Token(Secret::new("t".into())),
        insecure: false,
        max_retries: 0,
    };
    let shared = SharedProvider::default();
    shared.set(ProviderData {
        client: ModelArtsClient::new(config).expect("a client"),
        project_id: "p1".into(),
        workspace_id: "0".into(),
        stop: StopFlag::default(),
        holds: Default::default(),
        claims: Default::default(),
        read_lag_window: GRACE_WINDOW,
    });
    AppAuthApiResource::new(shared)
}

fn prior() -> Strict<AppAuthApiState> {
    Strict(Value::Value(AppAuthApiState {
        service_id: Value::Value("svc-1".into()),
        api_id: Value::Value("api-1".into()),
        app_ids: app_set(["a".to_string()]),
        project_id: Value::Value("p1".into()),
        workspace_id: Value::Value("0".into()),
        ..Default::default()
    }))
}

/// The plan hooks hand the prior record on unchanged, as Terraform 1.0 expects (it
/// gives apply what plan returned), and never a successor: only a create's plan
/// carries one, the create it plans, and no record.
#[tokio::test]
async fn plans_pass_the_record_through_and_a_create_plan_carries_its_create() {
    let record = Private(Some(written(0)));
    let successor = Successor {
        project_id: "p1".into(),
        workspace_id: "0".into(),
        service_id: "svc-1".into(),
        api_id: "api-1".into(),
        apps: set(&["a"]),
    };
    let given = Carried {
        recent: record.clone(),
        successor: Some(successor.clone()),
    };
    let mut diags = Diagnostics::default();
    let empty = ValueEmpty::Null;

    let (_, planned, _) = Resource::plan_update(
        &resource(),
        &mut diags,
        prior(),
        prior(),
        prior(),
        given.clone(),
        empty,
    )
    .await
    .expect("an update plan");
    assert_eq!(planned, record.clone().into(), "plan_update");
    let planned = Resource::plan_destroy(&resource(), &mut diags, prior(), given, empty)
        .await
        .expect("a destroy plan");
    assert_eq!(planned, record.into(), "plan_destroy");
    let (_, planned) = Resource::plan_create(&resource(), &mut diags, prior(), prior(), empty)
        .await
        .expect("a create plan");
    let expected = Carried {
        recent: Private(None),
        successor: Some(successor),
    };
    assert_eq!(planned, expected, "plan_create");
    assert!(diags.errors.is_empty(), "{:?}", diags.errors);
}

/// A read that fails keeps the record with the state, for the next read to use; an
/// import starts without one.
#[tokio::test]
async fn a_failed_read_keeps_the_record_and_an_import_has_none() {
    let record = Private(Some(written(0)));
    let mut diags = Diagnostics::default();
    let (state, kept) = Resource::read(
        &offline_resource(),
        &mut diags,
        prior(),
        record.clone().into(),
        ValueEmpty::Null,
    )
    .await
    .expect("the state as it was");
    let summaries: Vec<_> = diags.errors.iter().map(|e| e.summary.as_ref()).collect();
    assert_eq!(summaries, ["Failed to read app authorizations"]);
    assert_eq!((state, kept), (prior(), record.into()), "read");

    let mut diags = Diagnostics::default();
    let (_, imported) = Resource::import(&offline_resource(), &mut diags, "svc-1/api-1".into())
        .await
        .expect("an imported state");
    assert_eq!(imported, Carried::default(), "import");
}

/// The private bytes of states written before the record existed (none at all, or
/// nil) pass through the protocol layer as "no record", without an error.
#[tokio::test]
async fn old_private_bytes_decode_without_error() {
    let record = msgpack(&Private(Some(written(0))));
    let cases = [
        ("no bytes", Vec::new(), vec![0xc0]),
        ("nil", vec![0xc0], vec![0xc0]),
        ("a record", record.clone(), record),
    ];
    for (name, stored, expected) in cases {
        let mut diags = Diagnostics::default();
        let planned = DynamicResource::plan_destroy(
            &resource(),
            &mut diags,
            Default::default(),
            stored,
            Default::default(),
        )
        .await;
        assert!(diags.errors.is_empty(), "{name}: {:?}", diags.errors);
        assert_eq!(planned, Some(expected), "{name}");
    }
}

const FAST: Pacing = Pacing {
    window: Duration::from_millis(400),
    first_delay: Duration::from_millis(10),
    max_delay: Duration::from_millis(40),
    deadline_margin: Duration::ZERO,
};

/// A read in one case: the record's age, what the state holds,
/// the first answer, and the answers of the re-reads (the last one repeats).
struct Case {
    name: &'static str,
    age_ms: i64,
    owned: Option<BTreeSet<String>>,
    cancelled: BTreeSet<String>,
    first: BTreeSet<String>,
    rereads: Vec<Result<BTreeSet<String>, &'static str>>,
    deadline_in: Duration,
    margin: Duration,
    stopped: bool,
    end: Result<End, &'static str>,
    believed: BTreeSet<String>,
    kept: BTreeSet<String>,
    left_out: BTreeSet<String>,
    reads: Option<u32>,
}

/// A case whose state holds `owned` and whose first answer is `first`.
fn case(name: &'static str, owned: &[&str], first: &[&str]) -> Case {
    Case {
        name,
        age_ms: 0,
        owned: Some(set(owned)),
        cancelled: set(&[]),
        first: set(first),
        rereads: vec![Ok(set(first))],
        deadline_in: Duration::from_secs(60),
        margin: Duration::ZERO,
        stopped: false,
        end: Ok(End::Seen),
        believed: set(first),
        kept: set(&[]),
        left_out: set(&[]),
        reads: Some(0),
    }
}

/// Runs the case's read; returns its outcome and how many re-reads it made.
async fn run(case: &Case) -> (Result<Settled, &'static str>, u32) {
    let answers = RefCell::new(case.rereads.iter().cloned().collect::<VecDeque<_>>());
    let made = Cell::new(0);
    let stop = StopFlag::default();
    if case.stopped {
        stop.request();
    }
    let reread = || {
        made.set(made.get() + 1);
        let mut answers = answers.borrow_mut();
        let answer = match answers.len() {
            1 => answers[0].clone(),
            _ => answers.pop_front().expect("an answer"),
        };
        async move { answer }
    };
    let deadline = Instant::now() + case.deadline_in;
    let write = RecentWrite {
        cancelled: case.cancelled.clone(),
        ..written(case.age_ms)
    };
    let pacing = Pacing {
        deadline_margin: case.margin,
        ..FAST
    };
    let settling = settle(
        &write,
        case.owned.as_ref(),
        case.first.clone(),
        (deadline, &stop),
        &pacing,
        reread,
    );
    // A hang guard, not a figure: every case ends within one window.
    let settled = tokio::time::timeout(Duration::from_secs(20), settling)
        .await
        .unwrap_or_else(|_| panic!("{}: the read waited past its window", case.name));
    (settled, made.get())
}

/// A read waits only for apps the state holds and apps recorded as cancelled, only
/// within the window. Only an answer that agrees with the record, or one read after the
/// window, settles them; when the wait ends sooner the write is trusted (missing apps
/// kept, cancelled ones left out), and a failed re-read is an error.
#[tokio::test]
async fn a_read_waits_for_lagging_apps_only_within_the_window() {
    let cases = [
        case("all shown at once", &["a", "b"], &["a", "b", "x"]),
        Case {
            rereads: vec![Ok(set(&["a"])), Ok(set(&["a", "b"]))],
            believed: set(&["a", "b"]),
            reads: Some(2),
            ..case("shown on the second re-read", &["a", "b"], &[])
        },
        Case {
            end: Ok(End::WindowPassed),
            reads: None,
            ..case(
                "really cancelled: believed once the window passes",
                &["a", "b"],
                &["a"],
            )
        },
        Case {
            end: Ok(End::WindowPassed),
            age_ms: 60_000,
            ..case("window over before the read", &["a"], &[])
        },
        Case {
            end: Ok(End::WindowPassed),
            reads: None,
            age_ms: -3_600_000,
            ..case("stamped in the future: one window at most", &["a"], &[])
        },
        Case {
            owned: Some(set(&["b"])),
            ..case("dropped from the state earlier", &["a"], &["b"])
        },
        Case {
            owned: None,
            ..case("import", &["a"], &[])
        },
        Case {
            stopped: true,
            end: Ok(End::Stopped),
            believed: set(&["a", "b", "x"]),
            kept: set(&["b"]),
            ..case(
                "stop requested: the missing app is kept",
                &["a", "b"],
                &["a", "x"],
            )
        },
        Case {
            deadline_in: Duration::from_millis(5),
            end: Ok(End::Deadline),
            believed: set(&["a"]),
            kept: set(&["a"]),
            ..case("deadline near: the missing app is kept", &["a"], &[])
        },
        Case {
            deadline_in: Duration::from_millis(300),
            margin: Duration::from_secs(5),
            rereads: vec![Ok(set(&[])), Ok(set(&["a"]))],
            believed: set(&["a"]),
            reads: Some(2),
            ..case("short read timeout: still waits within it", &["a"], &[])
        },
        Case {
            cancelled: set(&["c"]),
            rereads: vec![Ok(set(&["a", "c"])), Ok(set(&["a"]))],
            believed: set(&["a"]),
            reads: Some(2),
            ..case(
                "a cancel shown until the second re-read",
                &["a"],
                &["a", "c"],
            )
        },
        Case {
            cancelled: set(&["c"]),
            end: Ok(End::WindowPassed),
            reads: None,
            ..case(
                "authorized again: believed once the window passes",
                &["a"],
                &["a", "c"],
            )
        },
        Case {
            cancelled: set(&["c"]),
            ..case(
                "a cancel undone by the state itself",
                &["a", "c"],
                &["a", "c"],
            )
        },
        Case {
            cancelled: set(&["c"]),
            ..case("others' apps are not waited for", &["a"], &["a", "x"])
        },
        Case {
            cancelled: set(&["c"]),
            stopped: true,
            end: Ok(End::Stopped),
            believed: set(&["a", "x"]),
            left_out: set(&["c"]),
            ..case(
                "stop requested: the cancelled app stays out",
                &["a"],
                &["a", "c", "x"],
            )
        },
        Case {
            cancelled: set(&["c"]),
            deadline_in: Duration::from_millis(5),
            end: Ok(End::Deadline),
            believed: set(&["a"]),
            kept: set(&["a"]),
            left_out: set(&["c"]),
            ..case("deadline near: both trust the write", &["a"], &["c"])
        },
        Case {
            rereads: vec![Ok(set(&[])), Err("503"), Ok(set(&["a"]))],
            end: Err("503"),
            reads: Some(2),
            ..case("re-read fails: an error, not an answer", &["a"], &[])
        },
    ];
    for case in cases {
        let (outcome, made) = run(&case).await;
        match outcome {
            Ok(settled) => {
                assert_eq!(Ok(settled.end), case.end, "{}", case.name);
                assert_eq!(settled.remote, case.believed, "{}", case.name);
                assert_eq!(settled.unsettled, case.kept, "{}", case.name);
                assert_eq!(settled.still_shown, case.left_out, "{}", case.name);
                assert_eq!(settled.rereads, made, "{}", case.name);
            }
            Err(error) => assert_eq!(Err(error), case.end, "{}", case.name),
        }
        match case.reads {
            Some(reads) => assert_eq!(made, reads, "{}", case.name),
            None => assert!(made >= 2, "{}: {made} re-reads", case.name),
        }
    }
}

fn stamped(at_ms: u64) -> Private {
    Private(Some(RecentWrite {
        written_at_ms: at_ms,
        cancelled: BTreeSet::new(),
    }))
}

fn cancelling(at_ms: u64, apps: &[&str]) -> Private {
    Private(Some(RecentWrite {
        written_at_ms: at_ms,
        cancelled: set(apps),
    }))
}

/// An update's record is the newest of its own stamp and an earlier one still running,
/// none when the state is left without apps, and never carries a stamp past now.
#[test]
fn an_update_merges_its_record_with_a_running_one() {
    let now = unix_ms();
    let old = now - 60_000;
    let future = now + 3_600_000;
    let cases = [
        (
            "nothing recorded",
            Private(None),
            Private(None),
            &["a"][..],
            None,
        ),
        (
            "only the update's",
            Private(None),
            stamped(now),
            &["a", "c"],
            Some(now),
        ),
        (
            "an update that only cancels keeps the create's",
            stamped(now - 1_000),
            Private(None),
            &["a", "b"],
            Some(now - 1_000),
        ),
        (
            "both: the newest stamp",
            stamped(now - 1_000),
            stamped(now),
            &["a"],
            Some(now),
        ),
        (
            "an expired record is dropped",
            stamped(old),
            Private(None),
            &["a"],
            None,
        ),
        (
            "no app left in the state",
            stamped(now),
            Private(None),
            &[],
            None,
        ),
        (
            "a future stamp is taken as now",
            stamped(future),
            Private(None),
            &["a"],
            Some(now),
        ),
        (
            "all apps cancelled: kept for the cancels",
            stamped(now - 1_000),
            cancelling(now, &["a"]),
            &[],
            Some(now),
        ),
    ];
    for (name, earlier, newer, held, expected) in cases {
        let Private(merged) = earlier.merged(newer, &set(held), GRACE_WINDOW);
        match (merged.map(|write| write.written_at_ms), expected) {
            // "now" is read again inside, so a clamped stamp may be a little later.
            (Some(at), Some(want_at)) => assert!(
                (want_at..want_at + 5_000).contains(&at),
                "{name}: stamped {at}, expected {want_at}"
            ),
            (got, expected) => assert_eq!(got, expected, "{name}"),
        }
    }
}

/// An update's record keeps the cancels of both writes, less the apps the state holds
/// again; those of an expired record go with it.
#[test]
fn an_update_merges_the_cancels_of_both_writes() {
    let now = unix_ms();
    let cancels = |earlier: Private, newer: Private, held: &[&str]| {
        let Private(merged) = earlier.merged(newer, &set(held), GRACE_WINDOW);
        merged.map(|write| write.cancelled)
    };
    assert_eq!(
        cancels(
            cancelling(now, &["a", "b"]),
            cancelling(now, &["c"]),
            &["d"]
        ),
        Some(set(&["a", "b", "c"]))
    );
    assert_eq!(
        cancels(cancelling(now, &["a", "b"]), stamped(now), &["b"]),
        Some(set(&["a"])),
        "b authorized again"
    );
    assert_eq!(
        cancels(
            cancelling(now - 60_000, &["a"]),
            cancelling(now, &["c"]),
            &[]
        ),
        Some(set(&["c"])),
        "the expired cancel is dropped"
    );
    assert_eq!(
        cancels(cancelling(now, &["a"]), Private(None), &["a"]),
        Some(set(&[])),
        "a held again: only the stamp is left"
    );
    assert_eq!(
        cancels(cancelling(now, &["a"]), Private(None), &[]),
        Some(set(&["a"])),
        "a state without apps still waits out its cancels"
    );
}

/// A read that settled clears the record, except the cancels a read that is not
/// exclusive did not check, while their window lasts.
#[test]
fn a_settled_read_keeps_only_the_cancels_it_did_not_check() {
    let now = unix_ms();
    let window = GRACE_WINDOW;
    let cases = [
        ("exclusive", cancelling(now, &["c"]), true, false),
        (
            "not exclusive, cancels",
            cancelling(now, &["c"]),
            false,
            true,
        ),
        ("not exclusive, no cancel", stamped(now), false, false),
        (
            "window over",
            cancelling(now - 60_000, &["c"]),
            false,
            false,
        ),
        ("no record", Private(None), false, false),
    ];
    for (name, record, exclusive, kept) in cases {
        let left = record.clone().after_read(exclusive, window);
        let expected = if kept { record } else { Private(None) };
        assert_eq!(left, expected, "{name}");
    }
}

/// An update through the resource hook keeps the record of an earlier create that is
/// still running, even when the update itself authorizes nothing.
#[tokio::test]
async fn an_update_keeps_a_running_record_of_an_earlier_write() {
    let record = Private(Some(written(0)));
    let mut planned = prior();
    if let Strict(Value::Value(state)) = &mut planned {
        state.app_ids = app_set(["a".to_string(), "b".to_string()]);
    }
    let mut diags = Diagnostics::default();

    let (_, kept) = Resource::update(
        &offline_resource(),
        &mut diags,
        prior(),
        planned.clone(),
        planned,
        record.into(),
        ValueEmpty::Null,
    )
    .await
    .expect("the state after the failed update");

    assert!(
        !diags.errors.is_empty(),
        "the authorize of b cannot succeed"
    );
    let Private(Some(write)) = kept.recent else {
        panic!("the create's record is kept");
    };
    assert!(
        write.window_left(GRACE_WINDOW) > Duration::ZERO,
        "the create's stamp is kept: {write:?}"
    );
}
