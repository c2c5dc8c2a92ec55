//! The app operations of the client (issue #5): create, show, delete and list apps.

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

impl ModelArtsClient {
    /// Creates an app. Errors: API errors such as quota exceeded (400 `ModelArts.0116`).
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
        let reply = self.send(request, deadline).await?;
        self.decode(operation, &reply, decode_app_answer)
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
