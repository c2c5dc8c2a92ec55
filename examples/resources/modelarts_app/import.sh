# An app in the default workspace: <app_id>
terraform import modelarts_app.billing logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f

# An app in another workspace: <workspace_id>/<app_id>
terraform import modelarts_app.billing 8a3f1c2d9e4b4f6a8c7d5e3f2a1b0c9d/logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f
