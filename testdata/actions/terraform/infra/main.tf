# A configuration for the Terraform action tests: only the built-in
# terraform_data resource, so it runs offline with no provider to install.
# The backend is local; the workflows point it at a directory shared by
# their jobs with backend-config (path, workspace_dir).
terraform {
  backend "local" {}
}

variable "message" {
  type    = string
  default = "hello"
}

variable "secret" {
  type      = string
  default   = "s3cr3t-output-value"
  sensitive = true
}

# hold_seconds > 0 makes the provisioner of terraform_data.slow run that
# long (while Terraform holds the state lock); release_file ends it early
# once that file exists.
variable "hold_seconds" {
  type    = number
  default = 0
}

variable "release_file" {
  type    = string
  default = ""
}

resource "terraform_data" "greeting" {
  input = var.message
}

resource "terraform_data" "slow" {
  triggers_replace = var.hold_seconds

  provisioner "local-exec" {
    command = "i=0; while [ $i -lt ${var.hold_seconds * 10} ] && [ ! -e '${var.release_file}' ]; do sleep 0.1; i=$((i+1)); done; echo held for $i ticks"
  }
}

output "greeting" {
  value = terraform_data.greeting.output
}

output "token" {
  value     = var.secret
  sensitive = true
}

output "settings" {
  value = { replicas = 2, regions = ["eu", "us"] }
}
