terraform {
  required_providers {
    modelarts = {
      source = "modelarts/modelarts"
    }
  }
}

resource "modelarts_app" "billing" {
  name        = "billing"
  description = "Calls the fraud model from the billing service"

  # The app is authorized to an API below. When it is removed or replaced, Terraform
  # would otherwise delete it before updating the authorization that names it, and
  # ModelArts refuses to delete an app that is still authorized.
  lifecycle {
    create_before_destroy = true
  }
}

resource "modelarts_app_auth_api" "fraud_model" {
  service_id = "2d3b9e4c-6f1a-4b3e-9a55-0c1f2e3d4a5b"
  api_id     = "logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2"
  app_ids    = [modelarts_app.billing.id]
}

output "billing_app_key" {
  value = modelarts_app.billing.app_key
}
