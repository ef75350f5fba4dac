{{/* The release's base name. */}}
{{- define "anvil.fullname" -}}
{{- printf "%s-anvil" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "anvil.labels" -}}
app.kubernetes.io/name: anvil
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "anvil.selector" -}}
app.kubernetes.io/name: anvil
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: runner
{{- end -}}

{{- define "anvil.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The runner's labels as one comma-separated flag value. */}}
{{- define "anvil.runnerLabels" -}}
{{ join "," .Values.runner.labels }}
{{- end -}}

{{/* Pod spec parts shared by daemon and ephemeral runners. */}}
{{/* The runner's user: rootless Docker's socket belongs to its user 1000. */}}
{{- define "anvil.uid" -}}
{{ if eq .Values.docker.mode "rootless" }}1000{{ else }}65532{{ end }}
{{- end -}}

{{- define "anvil.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ include "anvil.uid" . }}
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "anvil.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
{{- end -}}

{{/* The Docker sidecar (a native sidecar: an init container with
restartPolicy Always), sharing /run/docker with the runner. */}}
{{- define "anvil.dockerSidecar" -}}
{{- if eq .Values.docker.mode "dind" }}
- name: docker
  image: {{ .Values.docker.image }}
  restartPolicy: Always
  securityContext:
    privileged: true
  env:
    - name: DOCKER_TLS_CERTDIR
      value: ""
  # The socket's group is the runner's, so that it can use it.
  args: ["--host=unix:///run/docker/docker.sock", "--group=65532"]
  volumeMounts:
    - name: docker-run
      mountPath: /run/docker
    - name: docker-data
      mountPath: /var/lib/docker
  startupProbe:
    exec:
      command: ["docker", "--host=unix:///run/docker/docker.sock", "info"]
    periodSeconds: 2
    failureThreshold: 60
  {{- with .Values.docker.resources }}
  resources: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else if eq .Values.docker.mode "rootless" }}
- name: docker
  image: {{ .Values.docker.rootlessImage }}
  restartPolicy: Always
  securityContext:
    runAsUser: 1000
    runAsGroup: 1000
    seccompProfile:
      type: Unconfined
    appArmorProfile:
      type: Unconfined
  env:
    - name: DOCKER_TLS_CERTDIR
      value: ""
    - name: XDG_RUNTIME_DIR
      value: /run/docker
  args: ["--host=unix:///run/docker/docker.sock"]
  volumeMounts:
    - name: docker-run
      mountPath: /run/docker
    - name: docker-data
      mountPath: /home/rootless/.local/share/docker
  startupProbe:
    exec:
      command: ["docker", "--host=unix:///run/docker/docker.sock", "info"]
    periodSeconds: 2
    failureThreshold: 60
  {{- with .Values.docker.resources }}
  resources: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "anvil.dockerVolumes" -}}
{{- if ne .Values.docker.mode "none" }}
- name: docker-run
  emptyDir: {}
- name: docker-data
  emptyDir: {}
{{- end }}
{{- end -}}
