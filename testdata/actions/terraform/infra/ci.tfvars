message = "hello from ci.tfvars"
