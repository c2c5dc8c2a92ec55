//! The request pipeline of the ModelArts API, in the order a gateway and the service
//! apply it: route, credentials, body, faults, concurrent-write check, then the
//! operation itself with the world locked, the call logged and the world persisted in
//! that same critical section. Like a request that reached a real service, it runs to
//! the end even when the client goes away first.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use futures::StreamExt;
use tokio::sync::oneshot;

use super::calls::CallEntry;
use super::connections::Hangup;
use super::credentials::{decode_query, AuthKind, Credentials, Presented};
use super::error::ApiError;
use super::faults::{self, FaultReply, FaultRule};
use super::handlers::{self, Call, Reply};
use super::persist;
use super::routes::{match_route, Route};
use super::settings::Settings;
use super::world::{new_id, World, DEFAULT_WORKSPACE};

/// Largest request body read; the service's own bodies are far smaller.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Everything the emulator changes, behind one lock so that a call's effect on the
/// world and its place in the call log are decided together.
#[derive(Debug, Default)]
pub struct Inner {
    /// The emulated cloud.
    pub world: World,
    /// The call log.
    pub calls: Vec<CallEntry>,
    /// Active fault rules.
    pub faults: Vec<FaultRule>,
    /// Current settings.
    pub settings: Settings,
    /// Services (project id, service id) with a write in flight.
    pub in_flight: HashSet<(String, String)>,
}

/// State shared by every request.
#[derive(Debug)]
pub struct Shared {
    inner: Mutex<Inner>,
    /// Accepted credentials.
    pub credentials: Credentials,
    /// Where the world is persisted, if anywhere.
    pub state_file: Option<PathBuf>,
}

impl Shared {
    /// Shared state over a world.
    pub fn new(world: World, credentials: Credentials, state_file: Option<PathBuf>) -> Self {
        Shared {
            inner: Mutex::new(Inner {
                world,
                ..Inner::default()
            }),
            credentials,
            state_file,
        }
    }

    /// Locks the state. A panic in another request never makes the emulator unusable.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the world to the state file, if there is one. Called with the lock held
    /// so that files are written in the order the world changed.
    pub fn persist(&self, world: &World) {
        if let Some(path) = &self.state_file {
            if let Err(e) = persist::save(path, &world.to_doc()) {
                tracing::error!(path = %path.display(), error = %e, "cannot write the state file");
            }
        }
    }
}

/// Removes a service from the in-flight set when its write ends, even if the client
/// went away mid-call.
struct InFlight<'a> {
    shared: &'a Shared,
    key: (String, String),
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.shared.lock().in_flight.remove(&self.key);
    }
}

fn respond(status: StatusCode, body: Option<Vec<u8>>, request_id: &str) -> Response {
    let has_body = body.is_some();
    let mut response = Response::new(body.map_or_else(Body::empty, Body::from));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    if has_body {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

fn error_response(error: &ApiError, request_id: &str) -> Response {
    let body = serde_json::to_vec(&error.body(request_id)).expect("errors serialize");
    let mut response = respond(error.status, Some(body), request_id);
    if let Some(retry_after) = &error.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after.header_value());
    }
    response
}

/// The apps a call names, for the call log and app-scoped faults.
fn named_apps(route: Option<&Route>, body: Option<&serde_json::Value>) -> Vec<String> {
    if let Some(app_id) = route.and_then(|r| r.app_id.clone()) {
        return vec![app_id];
    }
    handlers::body_app_ids(body).unwrap_or_default()
}

/// The call-log entry of a request, before its status and credential are known.
fn call_entry(
    parts: &Parts,
    query: &[(String, String)],
    json: Option<&serde_json::Value>,
    route: Option<&Route>,
    request_id: &str,
) -> CallEntry {
    let workspace_id = query
        .iter()
        .find(|(k, _)| k == "workspace_id")
        .map(|(_, v)| v.clone())
        .or_else(|| json?.get("workspace_id")?.as_str().map(str::to_string))
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| DEFAULT_WORKSPACE.to_string());
    CallEntry {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        status: 0,
        workspace_id,
        app_ids: named_apps(route, json),
        auth: AuthKind::None,
        request_id: request_id.to_string(),
        operation: route.map(|r| r.operation.name()),
        answer_lost: false,
        aborted: false,
    }
}

/// Checks the request's credential, and that its kind is not turned off.
fn check_credentials(
    shared: &Shared,
    settings: &Settings,
    presented: &Presented<'_>,
    project_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> (AuthKind, Result<(), ApiError>) {
    let (kind, verdict) =
        shared
            .credentials
            .authenticate(presented, project_id, settings.clock_skew_check, now);
    let disabled = match kind {
        AuthKind::Token => !settings.accept_token,
        AuthKind::Aksk => !settings.accept_aksk,
        AuthKind::None => false,
    };
    let verdict = verdict.and_then(|()| match disabled {
        true => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "ModelArts.0203",
            "This kind of credential is not accepted",
        )),
        false => Ok(()),
    });
    (kind, verdict)
}

/// Marks a response that must not be sent: the connection is closed instead.
#[derive(Debug, Clone, Copy)]
struct LoseAnswer;

/// Handles one request to the ModelArts API in a task of its own, which finishes (and
/// logs the call) even if the client closes the connection and this future is dropped.
pub async fn api(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let hangup = request.extensions().get::<Hangup>().cloned();
    let (answer, waiting) = oneshot::channel();
    tokio::spawn(async move {
        let response = process(shared, request, &answer).await;
        let _ = answer.send(response);
    });
    let Ok(response) = waiting.await else {
        let error = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ModelArts.0010",
            "The emulator failed while handling the request",
        );
        return error_response(&error, &new_id());
    };
    if response.extensions().get::<LoseAnswer>().is_none() {
        return response;
    }
    match hangup {
        Some(hangup) => {
            hangup.close_connection();
            // Closing the connection drops this future; nothing is ever sent.
            std::future::pending().await
        }
        None => {
            let error = ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "ModelArts.0010",
                "lose_answer needs the emulator's own server to close the connection",
            );
            error_response(&error, &new_id())
        }
    }
}

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyError {
    /// It is longer than [`MAX_BODY_BYTES`].
    TooLarge,
    /// The connection broke (or the framing did) before its end.
    Broken,
}

async fn read_body(body: Body) -> Result<Bytes, BodyError> {
    let mut chunks = body.into_data_stream();
    let mut collected = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        if collected.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(collected.into())
}

/// Runs one request through the pipeline and returns its answer. Calls are logged as
/// aborted when `answer` has no one waiting at the other end any more.
async fn process(
    shared: Arc<Shared>,
    request: Request,
    answer: &oneshot::Sender<Response>,
) -> Response {
    let request_id = new_id();
    let (parts, body) = request.into_parts();
    let (body, unread) = match read_body(body).await {
        Ok(body) => (body, None),
        Err(error) => (Bytes::new(), Some(error)),
    };
    let raw_query = parts.uri.query().unwrap_or("");
    let query = decode_query(raw_query);
    let json: Option<Result<serde_json::Value, _>> =
        (!body.is_empty()).then(|| serde_json::from_slice(&body));
    let json_ok = json.as_ref().and_then(|j| j.as_ref().ok());
    let route = match_route(&parts.method, parts.uri.path());
    let mut entry = call_entry(&parts, &query, json_ok, route.as_ref(), &request_id);
    // A body cut short means the connection broke: no answer can reach the client.
    entry.aborted = unread == Some(BodyError::Broken);
    let fail = |mut entry: CallEntry, error: ApiError| {
        entry.status = error.status.as_u16();
        entry.aborted |= answer.is_closed();
        shared.lock().calls.push(entry);
        error_response(&error, &request_id)
    };

    // The gateway matches the API before it looks at credentials.
    let Some(route) = route else {
        let error = ApiError::new(
            StatusCode::NOT_FOUND,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment",
        );
        return fail(entry, error);
    };

    let settings = shared.lock().settings.clone();
    let presented = Presented {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: raw_query,
        headers: &parts.headers,
        body: &body,
    };
    let now = chrono::Utc::now();
    let (kind, verdict) = check_credentials(&shared, &settings, &presented, &route.project_id, now);
    entry.auth = kind;
    if let Err(error) = verdict {
        return fail(entry, error);
    }
    match unread {
        Some(BodyError::TooLarge) => {
            let limit = MAX_BODY_BYTES / (1024 * 1024);
            let message = format!("The request body is larger than {limit} MiB");
            return fail(entry, ApiError::invalid(message));
        }
        Some(BodyError::Broken) => {
            let message = "The request body ended before it was complete";
            return fail(entry, ApiError::invalid(message));
        }
        None => {}
    }
    if let Some(Err(_)) = &json {
        return fail(
            entry,
            ApiError::invalid("The request body is not valid JSON"),
        );
    }

    let operation = route.operation;
    let service_key = route
        .service_id
        .clone()
        .filter(|_| operation.writes_service())
        .map(|s| (route.project_id.clone(), s));
    let (actions, conflict) = {
        let mut inner = shared.lock();
        let actions = faults::evaluate(&mut inner.faults, operation, &entry.app_ids);
        let blocked = matches!(actions.reply, Some(FaultReply::Error(_)));
        let conflict = match &service_key {
            Some(key) if !blocked => {
                inner.settings.conflict_on_concurrent_writes && !inner.in_flight.insert(key.clone())
            }
            _ => false,
        };
        (actions, conflict)
    };
    let _in_flight = service_key
        .filter(|_| !conflict && !matches!(actions.reply, Some(FaultReply::Error(_))))
        .map(|key| InFlight {
            shared: &shared,
            key,
        });
    if actions.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(actions.delay_ms)).await;
    }
    if let Some(FaultReply::Error(error)) = &actions.reply {
        return fail(entry, error.clone());
    }
    if conflict {
        let error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "APIGW.0308",
            "The throttling threshold has been reached: another write on this service is in progress",
        );
        return fail(entry, error);
    }

    let mut inner = shared.lock();
    let inner = &mut *inner;
    let call = Call {
        route: &route,
        query: &query,
        body: json_ok,
        settings: &inner.settings,
        faults: &actions,
        now_ms: now.timestamp_millis(),
    };
    // A request for a project the world does not hold runs against an empty one,
    // which is kept only if the call put something in it.
    let existed = inner.world.projects.contains_key(&route.project_id);
    let project = inner.world.project_mut(&route.project_id);
    let outcome = handlers::run(project, &call);
    if !existed && project.services.is_empty() && project.apps.is_empty() {
        inner.world.projects.remove(&route.project_id);
    }
    let response = match outcome {
        Ok(Reply {
            status,
            body,
            changed,
        }) => {
            if changed {
                shared.persist(&inner.world);
            }
            match &actions.reply {
                Some(FaultReply::Raw { status, body }) => {
                    respond(*status, Some(body.clone().into_bytes()), &request_id)
                }
                Some(FaultReply::LoseAnswer) => {
                    entry.answer_lost = true;
                    let mut response = respond(status, body, &request_id);
                    response.extensions_mut().insert(LoseAnswer);
                    response
                }
                _ => respond(status, body, &request_id),
            }
        }
        Err(error) => error_response(&error, &request_id),
    };
    entry.status = response.status().as_u16();
    entry.aborted |= answer.is_closed();
    inner.calls.push(entry);
    response
}
