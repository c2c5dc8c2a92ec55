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
}

output "billing_app_key" {
  value = modelarts_app.billing.app_key
}
