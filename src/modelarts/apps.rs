//! The app operations of the client (issue #5): create, show, delete and list apps.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::time::Instant;
use tracing::instrument;

use super::client::{page_query, workspace, ModelArtsClient};
use super::error::ClientError;
use super::models::{decode_app_answer, decode_apps_page, App};
use super::paging::{collect_pages, Fetched};
use super::path::Segment;
use super::transport::Request;

/// How far the service's clock may lag ours when telling an app a create just made
/// from an older one of the same name.
// TODO(#4): an app of the same name that someone else creates in this window can be
// taken for the one a create made without a usable answer. The mark can go when the
// create operation accepts a client token that makes a resend safe, or answers with
// something that tells apps of one name apart.
const CLOCK_SKEW_MS: i64 = 10 * 60 * 1000;

/// The time the search for an app whose create answer was lost may take.
const LOOKUP_TIME: Duration = Duration::from_secs(30);

impl ModelArtsClient {
    /// Creates an app. After an attempt the service may have acted on without a usable
    /// answer (lost, unreadable, or a 5xx), the one app of that name created since
    /// shortly before the call (allowing ten minutes of clock skew) is returned; with
    /// none the create is sent again within `max_retries` and the deadline, and with
    /// several the error stands. Errors: API errors such as quota exceeded (400
    /// `ModelArts.0116`) or a name taken (400 `ModelArts.0107`).
    #[instrument(skip_all, fields(project_id = %project_id, workspace_id = %workspace_id))]
    pub async fn create_app(
        &self,
        project_id: &str,
        workspace_id: &str,
        name: &str,
        remark: Option<&str>,
        deadline: Instant,
    ) -> Result<App, ClientError> {
        let operation = "create app";
        let mut body = json!({ "app_name": name });
        if let Some(remark) = remark {
            body["app_remark"] = json!(remark);
        }
        if let Some(workspace_id) = workspace(workspace_id) {
            body["workspace_id"] = json!(workspace_id);
        }
        let request = Request {
            operation,
            method: Method::POST,
            project_id: project_id.to_string(),
            segments: vec![Segment::Fixed("app-auth"), Segment::Fixed("apps")],
            query: Vec::new(),
            body: Some(body),
            once: true,
        };
        // A create is not idempotent: after an attempt the service may have acted on
        // (an answer lost, unreadable or a 5xx), a resend could make a second app, or
        // find the name taken and leave the first one in no state. So look for the app
        // first, and send again only when there is none.
        let since_ms = chrono::Utc::now().timestamp_millis() - CLOCK_SKEW_MS;
        let mut sends: u32 = 0;
        loop {
            sends += 1;
            let mut maybe_applied = false;
            let (mut error, answered) = match self
                .send_tracked(request.clone(), deadline, &mut maybe_applied)
                .await
            {
                Ok(reply) => match self.decode(operation, &reply, decode_app_answer) {
                    Ok(app) => return Ok(app),
                    Err(error) => (error, true),
                },
                Err(error) if !maybe_applied => return Err(error),
                Err(error) => (error, false),
            };
            let found = self
                .find_created_app(project_id, workspace_id, name, since_ms)
                .await;
            if let Some(Some(app)) = found {
                tracing::warn!(app_id = %app.app_id, "found the app a create made \
                    although its answer was lost");
                return Ok(app);
            }
            let transport = &self.transport;
            let wait = transport.policy.wait(sends, None);
            // Sent again only when the look found no app: a 2xx whose body could not be
            // read said the app was made, and a look that failed, or found several apps
            // of the name, cannot tell whether this create made one.
            let unsure = answered || found.is_none();
            if unsure || sends > transport.max_retries || Instant::now() + wait >= deadline {
                if let ClientError::Transport { attempts, .. }
                | ClientError::RetriesExhausted { attempts, .. } = &mut error
                {
                    *attempts = (*attempts).max(sends);
                }
                return Err(error);
            }
            tracing::warn!(
                attempt = sends,
                wait_ms = wait.as_millis() as u64,
                "no app of the name was made; sending the create again"
            );
            if !transport.stop.sleep(wait).await {
                return Err(error);
            }
        }
    }

    /// The app named `name` created at or after `since_ms` (epoch milliseconds), read in
    /// full: `Some(Some(app))` for exactly one, `Some(None)` for none, and `None` when
    /// the look cannot tell (several apps, or a read failed).
    async fn find_created_app(
        &self,
        project_id: &str,
        workspace_id: &str,
        name: &str,
        since_ms: i64,
    ) -> Option<Option<App>> {
        // The create's own deadline may be what ended it; the search gets time of its own.
        let deadline = Instant::now() + LOOKUP_TIME;
        let apps = self
            .list_apps(project_id, workspace_id, Some(name), deadline)
            .await
            .ok()?;
        let mut found = apps
            .into_iter()
            .filter(|app| app.app_name == name && app.created_at >= since_ms);
        let Some(app) = found.next() else {
            return Some(None);
        };
        if found.next().is_some() {
            return None;
        }
        self.show_app(project_id, workspace_id, &app.app_id, deadline)
            .await
            .ok()
            .map(Some)
    }

    /// Reads one app. Errors: `e.is_not_found()` when it does not exist.
    #[instrument(skip_all, fields(app_id = %app_id))]
    pub async fn show_app(
        &self,
        project_id: &str,
        workspace_id: &str,
        app_id: &str,
        deadline: Instant,
    ) -> Result<App, ClientError> {
        let operation = "show app";
        let request = app_request(operation, Method::GET, project_id, workspace_id, app_id);
        let reply = self.send(request, deadline).await?;
        self.decode(operation, &reply, decode_app_answer)
    }

    /// Deletes an app. Errors: `e.is_not_found()` when it does not exist; 403 while the
    /// app still has APIs bound to it.
    #[instrument(skip_all, fields(app_id = %app_id))]
    pub async fn delete_app(
        &self,
        project_id: &str,
        workspace_id: &str,
        app_id: &str,
        deadline: Instant,
    ) -> Result<(), ClientError> {
        let request = app_request(
            "delete app",
            Method::DELETE,
            project_id,
            workspace_id,
            app_id,
        );
        self.send(request, deadline).await.map(|_| ())
    }

    /// The caller's apps, optionally filtered by name (the service matches fuzzily),
    /// following all pages.
    #[instrument(skip_all, fields(project_id = %project_id, workspace_id = %workspace_id))]
    pub async fn list_apps(
        &self,
        project_id: &str,
        workspace_id: &str,
        name: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<App>, ClientError> {
        let operation = "list apps";
        collect_pages(
            operation,
            |offset| {
                let mut query = page_query(offset, workspace_id);
                if let Some(name) = name {
                    query.push(("app_name", name.to_string()));
                }
                let request = Request {
                    operation,
                    method: Method::GET,
                    project_id: project_id.to_string(),
                    segments: vec![Segment::Fixed("app-auth"), Segment::Fixed("apps")],
                    query,
                    body: None,
                    once: false,
                };
                async move {
                    let reply = self.send(request, deadline).await?;
                    let page = self.decode(operation, &reply, decode_apps_page)?;
                    Ok(Fetched::new(page, &reply))
                }
            },
            |app: &App| app.app_id.as_str(),
        )
        .await
    }
}

fn app_request(
    operation: &'static str,
    method: Method,
    project_id: &str,
    workspace_id: &str,
    app_id: &str,
) -> Request {
    Request {
        operation,
        method,
        project_id: project_id.to_string(),
        segments: vec![
            Segment::Fixed("app-auth"),
            Segment::Fixed("apps"),
            Segment::Id("app_id", app_id.to_string()),
        ],
        query: workspace(workspace_id)
            .map(|id| vec![("workspace_id", id.to_string())])
            .unwrap_or_default(),
        body: None,
        once: false,
    }
}
