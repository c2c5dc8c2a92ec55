# An API in the default workspace: <service_id>/<api_id>
terraform import modelarts_app_auth_api.fraud_model 2d3b9e4c-6f1a-4b3e-9a55-0c1f2e3d4a5b/logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2

# An API in another workspace: <workspace_id>/<service_id>/<api_id>
terraform import modelarts_app_auth_api.fraud_model 8a3f1c2d9e4b4f6a8c7d5e3f2a1b0c9d/2d3b9e4c-6f1a-4b3e-9a55-0c1f2e3d4a5b/logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2
