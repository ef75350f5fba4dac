package expr

import (
	"testing"
)

func BenchmarkInterpolate(b *testing.B) {
	c := testContexts(b)
	benchmarks := []struct {
		name string
		in   string
	}{
		{"plain", "npm ci && npm test -- --reporter=dot"},
		{"one", "echo ${{ github.sha }}"},
		{"several", "deploy ${{ forgejo.repository }}@${{ github.sha }} to ${{ vars.DEPLOY_TARGET }} (${{ matrix.os }}, node ${{ matrix.node }})"},
		{"functions", "${{ startsWith(github.ref, 'refs/tags/') && format('release {0}', github.ref_name) || 'snapshot' }}"},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Interpolate(bm.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
