#!/usr/bin/env bash
# The demo behind `make demo`: the local emulator plays ModelArts, Terraform installs
# the provider from a filesystem mirror, then init, apply, an empty plan, a drift made
# behind Terraform's back and repaired, a change of the app set, and destroy. The
# emulator is stopped at the end, whatever happens.
#
# Usage: examples/demo/run.sh TERRAFORM_BINARY DIRECTORY_WITH_BUILT_BINARIES
set -euo pipefail

terraform_bin=$(realpath "${1:?path to the terraform binary}")
bin_dir=$(realpath "${2:?directory holding terraform-provider-modelarts and modelarts-emulator}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work="$here/.demo"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)

project_id=0a1b2c3d4e5f40718293a4b5c6d7e8f9
service_id=6a964adf-8c1d-4758-87a3-e67a42f4f33c
api_id=3f1e2d4c5b6a47988a7b6c5d4e3f2a1b
# Demo-only credentials, known to the emulator started below and to nothing else.
access_key=DEMOACCESSKEY0000001
secret_key=demo-secret-key-for-the-local-emulator-only

color="-no-color" bold="" plain=""
if [ -t 1 ]; then
  color="" bold=$(tput bold 2>/dev/null || true) plain=$(tput sgr0 2>/dev/null || true)
fi

step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
tf() { "$terraform_bin" "$@"; }
# Runs terraform plan into the file $2 and stops the demo unless it exits with $1
# (0: no changes, 2: changes).
plan_expecting() {
  local status=0
  tf plan -detailed-exitcode -input=false $color >"$2" || status=$?
  if [ "$status" -ne "$1" ]; then
    cat "$2"
    echo "expected terraform plan to exit with $1, it exited with $status" >&2
    exit 1
  fi
}

rm -rf "$work"
mkdir -p "$work/config"

step "Starting the ModelArts emulator"
# In a session of its own, so a Ctrl-C meant for Terraform does not stop the service
# under it first; the trap below stops it whatever happens.
setsid "$bin_dir/modelarts-emulator" --listen 127.0.0.1:0 --project-id "$project_id" \
  --access-key "$access_key" --secret-key "$secret_key" \
  --seed "$here/world.json" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
stop_emulator() {
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
}
trap stop_emulator EXIT

url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on \(http:\/\/.*\)$/\1/p' "$work/emulator.log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the emulator did not start; its log:" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "emulator listening on $url (project $project_id)"

authorized() {
  curl -fsS "$url/_emulator/state" | jq -r --arg p "$project_id" --arg a "$api_id" '
    .projects[$p] as $w
    | [$w.authorizations[] | select(.api_id == $a) | .app_id] as $ids
    | if ($ids | length) == 0 then "  (no app is authorized)"
      else $w.apps[] | select(.app_id as $id | $ids | index($id)) | "  \(.app_name)  \(.app_id)"
      end' | sort
}

step "Installing the provider into a filesystem mirror"
os_arch="$(uname -s | tr 'A-Z' 'a-z')_$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
mirror="$work/mirror/registry.terraform.io/modelarts/modelarts/$version/$os_arch"
mkdir -p "$mirror"
cp "$bin_dir/terraform-provider-modelarts" "$mirror/terraform-provider-modelarts_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["modelarts/modelarts"]
  }
  direct {
    exclude = ["modelarts/modelarts"]
  }
}
RC
echo "modelarts/modelarts $version -> $mirror"

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export HW_MODELARTS_ENDPOINT="$url" HW_REGION_NAME=cn-north-4 HW_PROJECT_ID="$project_id"
export HW_ACCESS_KEY="$access_key" HW_SECRET_KEY="$secret_key"
cp "$here/main.tf" "$work/config/"
cd "$work/config"

echo
echo "Before Terraform runs, the predict API is authorized to:"
authorized

step "terraform init"
tf init -input=false $color | grep -v '^$'

step "terraform apply: create two apps and authorize the predict API to both"
tf apply -auto-approve -input=false $color
echo
echo "The emulator now holds these authorizations on the predict API:"
authorized

step "terraform plan: the cloud matches the configuration"
plan_expecting 0 "$work/plan.txt"
grep -E 'No changes' "$work/plan.txt" || true

step "Behind Terraform's back: risk-dashboard's authorization is cancelled"
# As someone would in the console: the emulator's world is edited directly.
curl -fsS "$url/_emulator/state" | jq --arg p "$project_id" --arg a "$api_id" '
  (.projects[$p].apps[] | select(.app_name == "risk-dashboard") | .app_id) as $app
  | .projects[$p].authorizations |= map(select((.api_id == $a and .app_id == $app) | not))' |
  curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
    "$url/_emulator/state" >/dev/null
echo "The predict API is now authorized to:"
authorized

step "terraform plan: the drift shows, with the app to authorize again"
plan_expecting 2 "$work/drift.txt"
cat "$work/drift.txt"

step "terraform apply: authorize risk-dashboard again"
tf apply -auto-approve -input=false $color | grep -E '^(modelarts|Apply complete)'
echo
echo "The predict API is authorized to:"
authorized

step "terraform apply: remove risk-dashboard from the app set"
tf apply -auto-approve -input=false $color -var 'client_apps=["checkout-web"]'
echo
echo "The predict API is now authorized to:"
authorized

step "terraform destroy"
tf destroy -auto-approve -input=false $color -var 'client_apps=["checkout-web"]'
echo
echo "After destroy, only the authorization Terraform never managed remains:"
authorized

step "What Terraform asked of the service"
curl -fsS "$url/_emulator/calls" | jq -r '
  group_by(.method + " " + (.path | sub("^/v1/[^/]+"; "")
    | gsub("/[0-9a-f-]{32,36}"; "/{id}")))
  | .[] | "  \(length)x \(.[0].method) \(.[0].path | sub("^/v1/[^/]+"; "")
    | gsub("/[0-9a-f-]{32,36}"; "/{id}"))"'

step "Demo finished"
