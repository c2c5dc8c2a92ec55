//! Drives both resources' import-ID parsers with arbitrary text: they never panic, what
//! they accept round-trips through the ID it prints, and every accepted part is safe to
//! put in a request path.

#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_modelarts::modelarts::path::is_path_safe;
use terraform_provider_modelarts::resources::app::state::parse_app_id;
use terraform_provider_modelarts::resources::app_auth_api::state::AuthApiId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(id) = AuthApiId::parse(text) {
        for part in [&id.workspace_id, &id.service_id, &id.api_id] {
            assert!(is_path_safe(part), "accepted an unsafe part {part:?} in {text:?}");
        }
        let printed = id.to_string();
        assert_eq!(AuthApiId::parse(&printed).as_ref(), Ok(&id), "round trip of {text:?}");
    }

    if let Ok((workspace_id, app_id)) = parse_app_id(text) {
        assert!(is_path_safe(&workspace_id) && is_path_safe(&app_id), "{text:?}");
    }
});
