package lint

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// TestContainerOptions checks that lint reports, as errors at their
// place, the container options and volumes the Docker executor refuses
// when the job starts (the same list, pipeline/runopt), and nothing that
// it accepts.
func TestContainerOptions(t *testing.T) {
	t.Parallel()
	withContainer := func(container string) string {
		return "on: push\njobs:\n  a:\n    runs-on: docker\n    container:\n      image: alpine\n" + container + "    steps: [{run: echo}]\n"
	}
	tests := []struct {
		name   string
		yml    string
		policy runopt.Policy
		// want is each finding as "line:col message part".
		want []string
	}{
		{name: "privileged", yml: withContainer("      options: --privileged\n"),
			want: []string{"7:16 container.options asks for --privileged; the runner allows --privileged and --cap-add only with container.privileged"}},
		{name: "cap-add", yml: withContainer("      options: --cpus 1 --cap-add SYS_ADMIN\n"), want: []string{"7:16 container.options asks for --cap-add"}},
		{name: "host network", yml: withContainer("      options: --network=host\n"), want: []string{"7:16 container.options: unknown flag: --network"}},
		{name: "host pid", yml: withContainer("      options: --pid host\n"), want: []string{"7:16 container.options: unknown flag: --pid"}},
		{name: "device", yml: withContainer("      options: --device /dev/kvm\n"), want: []string{"7:16 container.options: unknown flag: --device"}},
		{name: "security-opt", yml: withContainer("      options: --security-opt seccomp=unconfined\n"), want: []string{"7:16 unknown flag: --security-opt"}},
		{name: "host volume", yml: withContainer("      volumes:\n        - /etc:/host-etc\n"), want: []string{"8:11 container.volumes: host path /etc is not in container.valid_volumes"}},
		{name: "host volume in options", yml: withContainer("      options: -v /var/run/docker.sock:/var/run/docker.sock\n"),
			want: []string{"7:16 host path /var/run/docker.sock is not in container.valid_volumes"}},
		{name: "service", yml: "on: push\njobs:\n  a:\n    runs-on: docker\n    services:\n      db:\n        image: postgres\n        options: --privileged --health-cmd pg_isready\n    steps: [{run: echo}]\n",
			want: []string{"8:18 services.db.options asks for --privileged"}},
		{name: "accepted options", yml: withContainer("      options: --cpus 1 -e A=1 --health-cmd 'curl -f localhost' --tmpfs /scratch\n      volumes: [cache:/cache, /anon]\n")},
		{name: "expression not checked", yml: withContainer("      options: ${{ vars.OPTIONS }}\n      volumes: ['${{ vars.DIR }}:/x']\n")},
		{name: "privileged allowed", yml: withContainer("      options: --privileged\n      volumes: [/data/x:/x]\n"),
			policy: runopt.Policy{Privileged: true, ValidVolumes: []string{"/data/**"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range New(Options{Containers: tt.policy}).Check("ci.yml", []byte(tt.yml)) {
				if f.Rule != ruleContainer {
					continue
				}
				if f.Severity != plan.SeverityError {
					t.Errorf("finding %s is not an error", f)
				}
				got = append(got, f.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings:\n%s\nwant %d: %q", strings.Join(got, "\n"), len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				pos, part, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(got[i], "ci.yml:"+pos+": ") || !strings.Contains(got[i], part) || !strings.HasSuffix(got[i], "so the job fails [container]") {
					t.Errorf("finding %d = %s, want %q at %s", i, got[i], part, pos)
				}
			}
		})
	}
}

// TestContainerOptionsFailTheJob checks that a workflow with a refused
// option does not run: Workflow returns the error by default.
func TestContainerOptionsFailTheJob(t *testing.T) {
	t.Parallel()
	problems := Workflow("ci.yml", []byte("on: push\njobs:\n  a:\n    runs-on: docker\n    container: {image: alpine, options: --privileged}\n    steps: [{run: echo}]\n"), Options{})
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.String())
	}
	want := []string{"ci.yml:5:41: not allowed by the runner's configuration: container.options asks for --privileged; the runner allows --privileged and --cap-add only with container.privileged; the Docker executor refuses this when the job starts, so the job fails [container]"}
	if diff := cmp.Diff(msgs, want); diff != "" {
		t.Errorf("Workflow (-got +want):\n%s", diff)
	}
}
