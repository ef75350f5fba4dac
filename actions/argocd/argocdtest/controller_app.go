package argocdtest

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// AppConfig describes an application of the test server.
type AppConfig struct {
	// Name is the application's name.
	Name string
	// Namespace is the application's namespace. Default "argocd".
	Namespace string
	// Project is its project. Default "default".
	Project string
	// RepoDir is the bare git repository the controller reads.
	RepoDir string
	// RepoURL is shown as spec.source.repoURL. Default file://RepoDir.
	RepoURL string
	// Path is the directory of the manifests in the repository.
	Path string
	// TargetRevision is the branch, tag or commit to follow. Default HEAD.
	TargetRevision string
	// AutoSync enables automated sync; AutoPrune prunes in automated syncs.
	AutoSync  bool
	AutoPrune bool
	// Synced starts the application with its target revision deployed.
	Synced bool
	// Degraded makes workloads end Degraded instead of Healthy.
	Degraded bool
}

// opStage is where an application's operation is.
type opStage int

const (
	opNone    opStage = iota
	opPending         // requested, not picked up by the controller yet
	opRunning
)

// app is the state of one application.
type app struct {
	cfg     AppConfig
	uid     string
	created time.Time
	version int

	// What git says, as of the last reconcile.
	headSHA       string
	head          *manifests
	gitErr        string
	syncStatus    string
	reconciledAt  time.Time
	nextReconcile time.Time

	// What is deployed.
	live          map[string]resource
	liveImages    []string
	deployedSHA   string
	progressing   time.Time // workloads are Progressing until then
	progressReads int       // and for this many more reads of the application
	health        string    // last health watchers were told

	// The operation.
	stage       opStage
	operation   *argocd.Operation
	opSHA       string
	opManifests *manifests
	opState     *argocd.OperationState
	opAt        time.Time // when the pending operation starts or the running attempt ends
	holdFor     time.Duration
	terminate   bool
	attempts    int
	lastAutoSHA string
	history     []argocd.RevisionHistory
	requests    []argocd.SyncRequest

	// Modes set by tests.
	degraded     bool
	syncError    string
	failAttempts int // attempts that fail with syncError; negative: all
	windowClosed bool
}

// AddApp adds an application and compares it with git once; with Synced
// its target revision is deployed at once.
func (s *Server) AddApp(ctx context.Context, cfg AppConfig) error {
	if cfg.Name == "" || cfg.RepoDir == "" {
		return fmt.Errorf("adding an application: Name and RepoDir are required")
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "argocd"
	}
	if cfg.Project == "" {
		cfg.Project = "default"
	}
	if cfg.RepoURL == "" {
		cfg.RepoURL = "file://" + cfg.RepoDir
	}
	if cfg.TargetRevision == "" {
		cfg.TargetRevision = "HEAD"
	}
	sha, err := s.git.resolve(ctx, cfg.RepoDir, cfg.TargetRevision)
	if err != nil {
		return fmt.Errorf("adding application %s: %w", cfg.Name, err)
	}
	m, err := s.git.manifests(ctx, cfg.RepoDir, sha, cfg.Path)
	if err != nil {
		return fmt.Errorf("adding application %s: %w", cfg.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[cfg.Name]; ok {
		return fmt.Errorf("adding application %s: it exists", cfg.Name)
	}
	now := s.cfg.Now()
	s.nextUID++
	a := &app{
		cfg:      cfg,
		uid:      fmt.Sprintf("00000000-0000-4000-8000-%012d", s.nextUID),
		created:  now,
		live:     map[string]resource{},
		degraded: cfg.Degraded,
	}
	if cfg.Synced {
		for k, r := range m.Resources {
			a.live[k] = r
		}
		a.liveImages = m.Images
		a.deployedSHA = sha
		a.history = append(a.history, argocd.RevisionHistory{
			ID: 0, Revision: sha, DeployedAt: stamp(now), DeployStartedAt: stamp(now), Source: s.source(a),
		})
	}
	s.apps[cfg.Name] = a
	s.applyReconcile(a, sha, m, nil, now)
	a.health = s.healthOf(a, now).Status
	return nil
}

// stamp formats t as Argo CD does (RFC 3339, seconds).
func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) source(a *app) *argocd.ApplicationSource {
	return &argocd.ApplicationSource{RepoURL: a.cfg.RepoURL, Path: a.cfg.Path, TargetRevision: a.cfg.TargetRevision}
}

// touch records a change of a: a new resourceVersion, watchers woken.
// Call with s.mu held.
func (s *Server) touch(a *app) {
	a.version++
	s.notify()
}
