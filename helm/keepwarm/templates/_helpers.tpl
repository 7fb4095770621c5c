{{/*
The chart name, or nameOverride.
*/}}
{{- define "keepwarm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified name (release-chart), or fullnameOverride; 63 characters at most (DNS names).
*/}}
{{- define "keepwarm.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
chart-version, for the helm.sh/chart label.
*/}}
{{- define "keepwarm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "keepwarm.labels" -}}
helm.sh/chart: {{ include "keepwarm.chart" . }}
{{ include "keepwarm.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the pods (immutable on a Deployment: never add to them).
*/}}
{{- define "keepwarm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keepwarm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The image reference.
*/}}
{{- define "keepwarm.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
The Secret holding the API keys: the chart's own, or apiKeys.existingSecret.
*/}}
{{- define "keepwarm.apiKeysSecretName" -}}
{{- .Values.apiKeys.existingSecret | default (printf "%s-api-keys" (include "keepwarm.fullname" .)) }}
{{- end }}

{{/*
/config/application.yml: keepwarm.upstream, keepwarm.warmer and keepwarm.policy from the values, in the
structure the application binds. API keys are not here: they come from a Secret (see deployment.yaml).
*/}}
{{- define "keepwarm.applicationYaml" -}}
{{- $keepwarm := dict "upstream" .Values.upstream "warmer" .Values.warmer "policy" .Values.policies }}
{{- toYaml (dict "keepwarm" $keepwarm) }}
{{- end }}
