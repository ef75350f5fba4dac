package x

import p "codeberg.org/anvil-ci/anvil/pipeline"

func load(data []byte) { _, _ = p.ParseAction("action.yml", data) }
