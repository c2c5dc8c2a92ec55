//! Feeds arbitrary bytes to every decoder of the service's answers: none may panic, and
//! what decodes must re-encode and decode to the same value, and fold into a batch
//! outcome that gives each app sent exactly one verdict.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use terraform_provider_modelarts::modelarts::batch::{record_chunk, BatchOutcome};
use terraform_provider_modelarts::modelarts::models::{
    decode_app_answer, decode_apps_page, decode_authorize_answer, decode_cancel_answer,
    decode_error_answer, decode_relations_page, AppAuthResult,
};

/// Decoder messages are capped at 200 characters plus an ellipsis.
const MAX_MESSAGE_CHARS: usize = 203;

fn check_message<T>(result: &Result<T, String>) {
    if let Err(message) = result {
        assert!(
            message.chars().count() <= MAX_MESSAGE_CHARS,
            "message too long"
        );
    }
}

fn check_results(results: &[AppAuthResult]) {
    for result in results {
        assert!(
            !result.app_id.trim().is_empty(),
            "a blank app_id was accepted"
        );
    }
    let body = json!({ "auth_result": results.iter().map(|r| json!({
        "app_id": r.app_id, "success": r.success, "reason": r.reason,
    })).collect::<Vec<_>>() });
    let again = decode_authorize_answer(body.to_string().as_bytes()).expect("re-encoded decodes");
    assert_eq!(again, results, "decode(encode(x)) != x");

    // Send the first half of the apps named (plus one never named): each gets one verdict.
    let mut sent: Vec<String> = results.iter().map(|r| r.app_id.clone()).collect();
    sent.sort();
    sent.dedup();
    sent.truncate(sent.len() / 2);
    sent.push("never-named-by-the-answer".into());
    let mut outcome = BatchOutcome::default();
    record_chunk(&sent, results.to_vec(), &mut outcome);
    let mut judged: Vec<String> = outcome.succeeded.clone();
    judged.extend(outcome.failed.iter().map(|f| f.app_id.clone()));
    judged.sort();
    let mut expected = sent.clone();
    expected.sort();
    assert_eq!(judged, expected, "every app sent gets exactly one verdict");
}

fuzz_target!(|data: &[u8]| {
    let authorize = decode_authorize_answer(data);
    check_message(&authorize);
    if let Ok(results) = &authorize {
        check_results(results);
    }
    let cancel = decode_cancel_answer(data);
    check_message(&cancel);
    if let Ok(results) = &cancel {
        check_results(results);
    }
    let relations = decode_relations_page(data);
    check_message(&relations);
    if let Ok(page) = &relations {
        assert!(page
            .items
            .iter()
            .all(|(app, _)| !app.app_id.trim().is_empty()));
    }
    let apps = decode_apps_page(data);
    check_message(&apps);
    if let Ok(page) = &apps {
        for app in &page.items {
            assert!(!app.app_id.trim().is_empty());
            assert!(
                !format!("{app:?}").contains("app_secret: \""),
                "secret in Debug"
            );
        }
    }
    check_message(&decode_app_answer(data));
    let (code, msg) = decode_error_answer(data);
    assert!(code.is_none_or(|c| !c.is_empty() && c.chars().count() <= MAX_MESSAGE_CHARS));
    assert!(msg.is_none_or(|m| !m.is_empty() && m.chars().count() <= MAX_MESSAGE_CHARS));
});
