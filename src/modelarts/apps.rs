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
const CLOCK_SKEW_MS: i64 = 10 * 60 * 1000;

/// The time the search for an app whose create answer was lost may take.
const LOOKUP_TIME: Duration = Duration::from_secs(30);

impl ModelArtsClient {
    /// Creates an app. When the answer is lost or unreadable after the service may have
    /// made the app, the one app of that name created since shortly before the call
    /// (allowing ten minutes of clock skew) is returned instead of the error; with
    /// none, or several, the error stands. Errors: API errors such as quota exceeded
    /// (400 `ModelArts.0116`) or a name taken (400 `ModelArts.0107`).
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
        };
        let started_ms = chrono::Utc::now().timestamp_millis();
        let mut maybe_applied = false;
        let created = match self
            .send_tracked(request, deadline, &mut maybe_applied)
            .await
        {
            Ok(reply) => {
                maybe_applied = true;
                self.decode(operation, &reply, decode_app_answer)
            }
            Err(error) => Err(error),
        };
        match created {
            Err(error) if maybe_applied => {
                // A create is not idempotent: an answer lost or unreadable after the
                // service made the app (a retry then finds the name taken) must not
                // leave an app that no state records.
                let since_ms = started_ms - CLOCK_SKEW_MS;
                match self
                    .find_created_app(project_id, workspace_id, name, since_ms)
                    .await
                {
                    Some(app) => {
                        tracing::warn!(app_id = %app.app_id, "found the app a create made \
                            although its answer was lost");
                        Ok(app)
                    }
                    None => Err(error),
                }
            }
            result => result,
        }
    }

    /// The one app named `name` created at or after `since_ms` (epoch milliseconds), read
    /// in full; `None` when there is none, more than one, or the reads fail.
    async fn find_created_app(
        &self,
        project_id: &str,
        workspace_id: &str,
        name: &str,
        since_ms: i64,
    ) -> Option<App> {
        // The create's own deadline may be what ended it; the search gets time of its own.
        let deadline = Instant::now() + LOOKUP_TIME;
        let apps = self
            .list_apps(project_id, workspace_id, Some(name), deadline)
            .await
            .ok()?;
        let mut found = apps
            .into_iter()
            .filter(|app| app.app_name == name && app.created_at >= since_ms);
        let app = found.next()?;
        if found.next().is_some() {
            return None;
        }
        self.show_app(project_id, workspace_id, &app.app_id, deadline)
            .await
            .ok()
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
    }
}
