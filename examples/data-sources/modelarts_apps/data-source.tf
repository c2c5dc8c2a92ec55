terraform {
  required_providers {
    modelarts = {
      source = "modelarts/modelarts"
    }
  }
}

# Every app whose name starts with "billing".
data "modelarts_apps" "billing" {
  name_regex = "^billing"
}

output "billing_app_ids" {
  value = data.modelarts_apps.billing.apps[*].id
}
