terraform {
  required_providers {
    modelarts = {
      source  = "modelarts/modelarts"
      version = "~> 0.1"
    }
  }
}

# Credentials and the project come from the environment:
#   HW_REGION_NAME, HW_PROJECT_ID, and HW_ACCESS_KEY + HW_SECRET_KEY (or HW_AUTH_TOKEN).
provider "modelarts" {
  region = "cn-north-4"

  # Only where the service allows fewer than 100 apps per authorize or cancel call:
  # max_apps_per_call = 20
}
