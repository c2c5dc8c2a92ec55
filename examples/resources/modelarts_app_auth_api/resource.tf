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

  # Lets a later apply remove the app: its authorization is cancelled first.
  lifecycle {
    create_before_destroy = true
  }
}

# Authorize the service's API to the new app and to an existing one.
resource "modelarts_app_auth_api" "fraud_model" {
  service_id = "2d3b9e4c-6f1a-4b3e-9a55-0c1f2e3d4a5b"
  api_id     = "logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2"
  app_ids = [
    modelarts_app.billing.id,
    "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f",
  ]

  timeouts {
    create = "10m"
  }
}
