terraform {
  required_providers {
    modelarts = {
      source = "modelarts/modelarts"
    }
  }
}

# Every app the API is authorized to, whoever authorized it.
data "modelarts_app_auth_api" "fraud_model" {
  service_id = "2d3b9e4c-6f1a-4b3e-9a55-0c1f2e3d4a5b"
  api_id     = "logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2"
}

output "authorized_apps" {
  value = data.modelarts_app_auth_api.fraud_model.app_ids
}
