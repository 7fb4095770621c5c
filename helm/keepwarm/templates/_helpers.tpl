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

{{/*
The container's ports: the application's server.port and management.server.port (src/main/resources/application.yml).
*/}}
{{- define "keepwarm.proxyPort" -}}
8080
{{- end }}
{{- define "keepwarm.managementPort" -}}
8081
{{- end }}

{{/*
Where the Secret's api-keys.yml is mounted.
*/}}
{{- define "keepwarm.apiKeysDir" -}}
/etc/keepwarm/api-keys
{{- end }}

{{/*
SPRING_CONFIG_ADDITIONAL_LOCATION: the ConfigMap's /config/, then (keys enabled) the Secret's api-keys.yml. The latter
is not optional: with apiKeys.enabled, keepwarm must not start without its keys.
*/}}
{{- define "keepwarm.configLocations" -}}
optional:file:/config/
{{- if .Values.apiKeys.enabled }},file:{{ include "keepwarm.apiKeysDir" . }}/api-keys.yml{{ end }}
{{- end }}

{{/*
The Secret's api-keys.yml: keepwarm.security.api-keys from apiKeys.keys, each checked to carry a SHA-256 (never a key).
*/}}
{{- define "keepwarm.apiKeysYaml" -}}
{{- range $i, $key := .Values.apiKeys.keys }}
{{- if not (kindIs "map" $key) }}
{{- fail (printf "apiKeys.keys[%d] must be {name, key-sha256, scopes}, not a plain value" $i) }}
{{- end }}
{{- if not (regexMatch "^[0-9a-fA-F]{64}$" (toString (index $key "key-sha256"))) }}
{{- fail (printf "apiKeys.keys[%d].key-sha256 must be the SHA-256 of the key as 64 hex characters (printf %%s \"$KEY\" | sha256sum); the chart never takes the key itself" $i) }}
{{- end }}
{{- end }}
{{- toYaml (dict "keepwarm" (dict "security" (dict "api-keys" .Values.apiKeys.keys))) }}
{{- end }}
