# Two client apps are created and the fraud-scoring service's predict API is
# authorized to both. Credentials and the endpoint come from the environment
# (HW_ACCESS_KEY, HW_SECRET_KEY, HW_PROJECT_ID, HW_REGION_NAME,
# HW_MODELARTS_ENDPOINT), so the same file runs against the cloud or the emulator.

terraform {
  required_providers {
    modelarts = {
      source  = "modelarts/modelarts"
      version = "~> 0.1"
    }
  }
}

provider "modelarts" {}

variable "client_apps" {
  description = "Names of the client apps that may call the predict API."
  type        = set(string)
  default     = ["checkout-web", "risk-dashboard"]
}

resource "modelarts_app" "client" {
  for_each = var.client_apps

  name        = each.key
  description = "Calls the fraud-scoring predict API"

  # The service refuses to delete an app while an API is authorized to it. With
  # create_before_destroy, Terraform removes a dropped app from app_ids below
  # before it deletes the app; without it, the delete comes first and fails.
  lifecycle {
    create_before_destroy = true
  }
}

resource "modelarts_app_auth_api" "predict" {
  service_id = "6a964adf-8c1d-4758-87a3-e67a42f4f33c"
  api_id     = "3f1e2d4c5b6a47988a7b6c5d4e3f2a1b"
  app_ids    = [for app in modelarts_app.client : app.id]
}

output "authorized_app_ids" {
  description = "The apps Terraform authorized to the predict API."
  value       = modelarts_app_auth_api.predict.app_ids
}

output "app_keys" {
  description = "The app keys clients sign their calls with (the secrets stay in the state)."
  value       = { for name, app in modelarts_app.client : name => app.app_key }
}
