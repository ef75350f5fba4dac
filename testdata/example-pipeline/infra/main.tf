# The service's infrastructure, reduced to Terraform's built-in
# terraform_data resource so that it plans and applies offline. A real
# configuration would create the namespace, DNS and database here.
terraform {
  backend "local" {}
}

variable "image" {
  type        = string
  description = "The image the release runs."
}

variable "replicas" {
  type    = number
  default = 2
}

resource "terraform_data" "release" {
  input = {
    image    = var.image
    replicas = var.replicas
  }
}

output "image" {
  value = terraform_data.release.output.image
}

output "endpoint" {
  value = "https://web.acme.test"
}
