package argocd

// The types below are the part of Argo CD's API (swagger 2.0 definitions
// named in each comment) that the actions and the test server use. Field
// names are Argo CD's; times are RFC 3339 strings as on the wire.

// Application is v1alpha1Application.
type Application struct {
	Metadata  ObjectMeta        `json:"metadata"`
	Spec      ApplicationSpec   `json:"spec"`
	Status    ApplicationStatus `json:"status"`
	Operation *Operation        `json:"operation,omitempty"`
}

// ObjectMeta is v1ObjectMeta.
type ObjectMeta struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace,omitempty"`
	UID               string            `json:"uid,omitempty"`
	ResourceVersion   string            `json:"resourceVersion,omitempty"`
	Generation        int64             `json:"generation,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
}

// ApplicationSpec is v1alpha1ApplicationSpec.
type ApplicationSpec struct {
	Project     string                 `json:"project,omitempty"`
	Source      *ApplicationSource     `json:"source,omitempty"`
	Sources     []ApplicationSource    `json:"sources,omitempty"`
	Destination ApplicationDestination `json:"destination"`
	SyncPolicy  *SyncPolicy            `json:"syncPolicy,omitempty"`
}

// ApplicationSource is v1alpha1ApplicationSource.
type ApplicationSource struct {
	RepoURL        string `json:"repoURL"`
	Path           string `json:"path,omitempty"`
	TargetRevision string `json:"targetRevision,omitempty"`
	Chart          string `json:"chart,omitempty"`
}

// ApplicationDestination is v1alpha1ApplicationDestination.
type ApplicationDestination struct {
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// SyncPolicy is v1alpha1SyncPolicy.
type SyncPolicy struct {
	Automated   *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions []string             `json:"syncOptions,omitempty"`
	Retry       *RetryStrategy       `json:"retry,omitempty"`
}

// SyncPolicyAutomated is v1alpha1SyncPolicyAutomated. Enabled is nil on
// servers before Argo CD 3.1, where the presence of automated enables it.
type SyncPolicyAutomated struct {
	Enabled    *bool `json:"enabled,omitempty"`
	Prune      bool  `json:"prune,omitempty"`
	SelfHeal   bool  `json:"selfHeal,omitempty"`
	AllowEmpty bool  `json:"allowEmpty,omitempty"`
}

// RetryStrategy is v1alpha1RetryStrategy.
type RetryStrategy struct {
	Limit   int64    `json:"limit,omitempty"`
	Backoff *Backoff `json:"backoff,omitempty"`
}

// Backoff is v1alpha1Backoff; durations are strings such as "5s".
type Backoff struct {
	Duration    string `json:"duration,omitempty"`
	Factor      int64  `json:"factor,omitempty"`
	MaxDuration string `json:"maxDuration,omitempty"`
}

// ApplicationStatus is v1alpha1ApplicationStatus.
type ApplicationStatus struct {
	Sync           SyncStatus             `json:"sync"`
	Health         AppHealthStatus        `json:"health"`
	OperationState *OperationState        `json:"operationState,omitempty"`
	ReconciledAt   string                 `json:"reconciledAt,omitempty"`
	History        []RevisionHistory      `json:"history,omitempty"`
	Resources      []ResourceStatus       `json:"resources,omitempty"`
	Summary        ApplicationSummary     `json:"summary"`
	Conditions     []ApplicationCondition `json:"conditions,omitempty"`
	SourceType     string                 `json:"sourceType,omitempty"`
}

// SyncStatus is v1alpha1SyncStatus.
type SyncStatus struct {
	Status     string      `json:"status"`
	Revision   string      `json:"revision,omitempty"`
	Revisions  []string    `json:"revisions,omitempty"`
	ComparedTo *ComparedTo `json:"comparedTo,omitempty"`
}

// ComparedTo is v1alpha1ComparedTo.
type ComparedTo struct {
	Source      *ApplicationSource     `json:"source,omitempty"`
	Destination ApplicationDestination `json:"destination"`
}

// AppHealthStatus is v1alpha1AppHealthStatus.
type AppHealthStatus struct {
	Status             string `json:"status,omitempty"`
	Message            string `json:"message,omitempty"`
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
}

// HealthStatus is v1alpha1HealthStatus (a resource's health).
type HealthStatus struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// OperationState is v1alpha1OperationState.
type OperationState struct {
	Operation  Operation            `json:"operation"`
	Phase      string               `json:"phase"`
	Message    string               `json:"message,omitempty"`
	StartedAt  string               `json:"startedAt"`
	FinishedAt string               `json:"finishedAt,omitempty"`
	RetryCount int64                `json:"retryCount,omitempty"`
	SyncResult *SyncOperationResult `json:"syncResult,omitempty"`
}

// Operation is v1alpha1Operation.
type Operation struct {
	Sync        *SyncOperation     `json:"sync,omitempty"`
	InitiatedBy OperationInitiator `json:"initiatedBy"`
	Retry       *RetryStrategy     `json:"retry,omitempty"`
}

// OperationInitiator is v1alpha1OperationInitiator.
type OperationInitiator struct {
	Username  string `json:"username,omitempty"`
	Automated bool   `json:"automated,omitempty"`
}

// SyncOperation is v1alpha1SyncOperation.
type SyncOperation struct {
	Revision    string                  `json:"revision,omitempty"`
	Prune       bool                    `json:"prune,omitempty"`
	DryRun      bool                    `json:"dryRun,omitempty"`
	Resources   []SyncOperationResource `json:"resources,omitempty"`
	SyncOptions []string                `json:"syncOptions,omitempty"`
	Source      *ApplicationSource      `json:"source,omitempty"`
}

// SyncOperationResource is v1alpha1SyncOperationResource: a resource to
// sync, GROUP:KIND:NAME (and namespace) as the CLI's --resource.
type SyncOperationResource struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// SyncOperationResult is v1alpha1SyncOperationResult.
type SyncOperationResult struct {
	Revision  string             `json:"revision"`
	Resources []ResourceResult   `json:"resources,omitempty"`
	Source    *ApplicationSource `json:"source,omitempty"`
}

// ResourceResult is v1alpha1ResourceResult.
type ResourceResult struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status,omitempty"`
	Message   string `json:"message,omitempty"`
	SyncPhase string `json:"syncPhase,omitempty"`
}

// ResourceStatus is applicationv1alpha1ResourceStatus.
type ResourceStatus struct {
	Group           string        `json:"group,omitempty"`
	Version         string        `json:"version,omitempty"`
	Kind            string        `json:"kind"`
	Namespace       string        `json:"namespace,omitempty"`
	Name            string        `json:"name"`
	Status          string        `json:"status,omitempty"`
	Health          *HealthStatus `json:"health,omitempty"`
	RequiresPruning bool          `json:"requiresPruning,omitempty"`
}

// RevisionHistory is v1alpha1RevisionHistory.
type RevisionHistory struct {
	ID              int64               `json:"id"`
	Revision        string              `json:"revision,omitempty"`
	DeployedAt      string              `json:"deployedAt"`
	DeployStartedAt string              `json:"deployStartedAt,omitempty"`
	Source          *ApplicationSource  `json:"source,omitempty"`
	InitiatedBy     *OperationInitiator `json:"initiatedBy,omitempty"`
}

// ApplicationSummary is v1alpha1ApplicationSummary.
type ApplicationSummary struct {
	Images       []string `json:"images,omitempty"`
	ExternalURLs []string `json:"externalURLs,omitempty"`
}

// ApplicationCondition is v1alpha1ApplicationCondition.
type ApplicationCondition struct {
	Type               string `json:"type"`
	Message            string `json:"message"`
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
}

// SyncRequest is applicationApplicationSyncRequest, the body of
// POST /api/v1/applications/{name}/sync.
type SyncRequest struct {
	Name          string                  `json:"name"`
	AppNamespace  string                  `json:"appNamespace,omitempty"`
	Project       string                  `json:"project,omitempty"`
	Revision      string                  `json:"revision,omitempty"`
	DryRun        bool                    `json:"dryRun,omitempty"`
	Prune         bool                    `json:"prune,omitempty"`
	Resources     []SyncOperationResource `json:"resources,omitempty"`
	SyncOptions   *SyncOptions            `json:"syncOptions,omitempty"`
	RetryStrategy *RetryStrategy          `json:"retryStrategy,omitempty"`
}

// SyncOptions is applicationSyncOptions.
type SyncOptions struct {
	Items []string `json:"items,omitempty"`
}

// SessionCreateRequest is sessionSessionCreateRequest.
type SessionCreateRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// SessionResponse is sessionSessionResponse.
type SessionResponse struct {
	Token string `json:"token"`
}

// RuntimeError is runtimeError, the body of every error answer.
type RuntimeError struct {
	Error   string `json:"error,omitempty"`
	Code    int32  `json:"code"`
	Message string `json:"message"`
}

// VersionMessage is versionVersionMessage.
type VersionMessage struct {
	Version   string `json:"Version"`
	GitCommit string `json:"GitCommit,omitempty"`
	GoVersion string `json:"GoVersion,omitempty"`
	Platform  string `json:"Platform,omitempty"`
}

// WatchEvent is v1alpha1ApplicationWatchEvent.
type WatchEvent struct {
	Type        string      `json:"type"`
	Application Application `json:"application"`
}

// StreamError is runtimeStreamError.
type StreamError struct {
	GRPCCode   int32  `json:"grpc_code"`
	HTTPCode   int32  `json:"http_code"`
	Message    string `json:"message"`
	HTTPStatus string `json:"http_status,omitempty"`
}

// WatchResult is one line of GET /api/v1/stream/applications.
type WatchResult struct {
	Result *WatchEvent  `json:"result,omitempty"`
	Error  *StreamError `json:"error,omitempty"`
}

// Argo CD's sync statuses, health statuses and operation phases.
const (
	SyncSynced    = "Synced"
	SyncOutOfSync = "OutOfSync"
	SyncUnknown   = "Unknown"

	HealthHealthy     = "Healthy"
	HealthProgressing = "Progressing"
	HealthDegraded    = "Degraded"
	HealthSuspended   = "Suspended"
	HealthMissing     = "Missing"
	HealthUnknown     = "Unknown"

	PhaseRunning     = "Running"
	PhaseTerminating = "Terminating"
	PhaseSucceeded   = "Succeeded"
	PhaseFailed      = "Failed"
	PhaseError       = "Error"
)
