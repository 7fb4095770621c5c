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
Labels of the helm test pod: never the pods' selector labels, or the Service, the NetworkPolicy, the
PodDisruptionBudget and the topology spread would take the test pod for a keepwarm pod.
*/}}
{{- define "keepwarm.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "keepwarm.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "keepwarm.testLabels" -}}
helm.sh/chart: {{ include "keepwarm.chart" . }}
{{ include "keepwarm.testSelectorLabels" . }}
app.kubernetes.io/component: test
app.kubernetes.io/managed-by: {{ .Release.Service }}
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
/config/application.yml: keepwarm.upstream, keepwarm.warmer and keepwarm.adaptive from the values, in the structure
the application binds, and Spring's shutdown phase timeout. Not here: the policies (their own ConfigMap, read as
keepwarm.policy-file, so that changing them rolls no pod) and the API keys (a Secret; see deployment.yaml).
*/}}
{{- define "keepwarm.applicationYaml" -}}
{{- $upstream := include "keepwarm.upstream" . | fromYaml }}
{{- $keepwarm := dict "upstream" $upstream "warmer" .Values.warmer }}
{{- if .Values.adaptive }}
{{- $_ := set $keepwarm "adaptive" .Values.adaptive }}
{{- end }}
{{- $spring := dict "lifecycle" (dict "timeout-per-shutdown-phase" (printf "%ds" (int .Values.shutdownTimeoutSeconds))) }}

{{- toYaml (dict "keepwarm" $keepwarm "spring" $spring) }}
{{- end }}

{{/*
The policy file (policies.yml of the policies ConfigMap): keepwarm.policy from the values, shaped like application.yml
as keepwarm.policy-file requires.
*/}}
{{- define "keepwarm.policiesYaml" -}}
{{- /* models always present: a file whose keepwarm.policy is empty has no keepwarm.policy section for the
application, which then refuses to start */}}
{{- $policies := merge (dict "models" (.Values.policies.models | default list)) (omit .Values.policies "models") }}
{{- toYaml (dict "keepwarm" (dict "policy" $policies)) }}
{{- end }}

{{/*
The policies ConfigMap's name, the directory it is mounted at (a directory, not a subPath: only a directory mount sees
the kubelet's updates) and the file the application reads.
*/}}
{{- define "keepwarm.policiesName" -}}
{{- printf "%s-policies" (include "keepwarm.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "keepwarm.tlsDir" -}}
/etc/keepwarm/tls
{{- end }}
{{- define "keepwarm.policiesDir" -}}
/etc/keepwarm/policies
{{- end }}
{{- define "keepwarm.policyFile" -}}
{{ include "keepwarm.policiesDir" . }}/policies.yml
{{- end }}

{{/*
Stopping a pod: the grace period must cover the preStop sleep and Spring's shutdown phase, or the kubelet kills the JVM
while streams are still finishing.
*/}}
{{- define "keepwarm.checkShutdown" -}}
{{- $preStop := int .Values.preStopSleepSeconds }}
{{- $phase := int .Values.shutdownTimeoutSeconds }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- if le $grace (add $preStop $phase) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than preStopSleepSeconds (%d) + shutdownTimeoutSeconds (%d) = %d: the kubelet kills keepwarm at the end of the grace period, in the middle of its graceful shutdown" $grace $preStop $phase (add $preStop $phase)) }}
{{- end }}
{{- end }}

{{/*
The ports keepwarm reaches Ollama on, for the NetworkPolicy's egress: those of upstream.url (one Ollama) or of
upstream.hosts' urls and upstream.discovery.port (a fleet); a URL without a port has its scheme's (80, 443).
*/}}
{{- define "keepwarm.ollamaPorts" -}}
{{- $urls := list }}
{{- $ports := list }}
{{- $discovery := .Values.upstream.discovery | default dict }}
{{- range .Values.upstream.hosts | default list }}{{ $urls = append $urls (toString .url) }}{{ end }}
{{- if $discovery.dns }}
{{- $ports = append $ports (int ($discovery.port | default 11434)) }}
{{- end }}
{{- if not (or $urls $discovery.dns) }}
{{- $urls = append $urls (toString .Values.upstream.url) }}
{{- end }}
{{- range $urls }}
{{- $url := urlParse . }}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $url.host) }}
{{- if not $port }}{{ $port = ternary "443" "80" (eq $url.scheme "https") }}{{ end }}
{{- $ports = append $ports (int $port) }}
{{- end }}
{{- toYaml (dict "ports" ($ports | uniq)) }}
{{- end }}

{{/*
keepwarm.upstream from the values: every key of upstream as given, except that upstream.hosts becomes
keepwarm.upstream.hosts (maxLoaded spelt max-loaded) and upstream.discovery is rendered only when it names a dns.
With a fleet (hosts or discovery) upstream.url is left out: the application does not use it then. The render fails on
what the application would refuse at start-up, so that `helm upgrade` stops before the pods roll.
*/}}
{{- define "keepwarm.upstream" -}}
{{- $upstream := omit .Values.upstream "hosts" "discovery" "tls" }}
{{- $hosts := list }}
{{- $names := dict }}
{{- range $i, $host := .Values.upstream.hosts | default list }}
{{- if not (kindIs "map" $host) }}
{{- fail (printf "upstream.hosts[%d] must be {name, url, memory, maxLoaded}, not a plain value" $i) }}
{{- end }}
{{- $unknown := without (keys $host | sortAlpha) "name" "url" "memory" "maxLoaded" }}
{{- if $unknown }}
{{- fail (printf "upstream.hosts[%d] has unknown keys %s: a host has name, url, memory and maxLoaded" $i (join ", " $unknown)) }}
{{- end }}
{{- $name := toString ($host.name | default "") }}
{{- if not (regexMatch "^[a-z0-9-]+$" $name) }}
{{- fail (printf "upstream.hosts[%d].name must be lower-case letters, digits and '-' ([a-z0-9-]+), not %q: it becomes the upstream tag of the metrics and the X-Keepwarm-Upstream header" $i $name) }}
{{- end }}
{{- if hasKey $names $name }}
{{- fail (printf "upstream.hosts[%d].name %q is also the name of upstream.hosts[%d]: each host needs a name of its own" $i $name (get $names $name)) }}
{{- end }}
{{- $_ := set $names $name $i }}
{{- $url := toString ($host.url | default "") }}
{{- if not (regexMatch "^https?://[^/:?#]+" $url) }}
{{- fail (printf "upstream.hosts[%d].url must be an http(s) URL with a host, such as http://ollama-0.ollama-headless:11434, not %q" $i $url) }}
{{- end }}
{{- $entry := dict "name" $name "url" $url }}
{{- if $host.memory }}
{{- $_ := set $entry "memory" (toString $host.memory) }}
{{- end }}
{{- if hasKey $host "maxLoaded" }}
{{- if not (regexMatch "^[1-9][0-9]*$" (toString $host.maxLoaded)) }}
{{- fail (printf "upstream.hosts[%d].maxLoaded must be a whole number of at least 1 (that host's OLLAMA_MAX_LOADED_MODELS), not %v" $i $host.maxLoaded) }}
{{- end }}
{{- $_ := set $entry "max-loaded" (int $host.maxLoaded) }}
{{- end }}
{{- $hosts = append $hosts $entry }}
{{- end }}
{{- $discovery := .Values.upstream.discovery | default dict }}
{{- if $hosts }}
{{- $_ := set $upstream "hosts" $hosts }}
{{- end }}
{{- if $discovery.dns }}
{{- $scheme := toString ($discovery.scheme | default "http") }}
{{- if not (has $scheme (list "http" "https")) }}
{{- fail (printf "upstream.discovery.scheme must be http or https, not %q" $scheme) }}
{{- end }}
{{- $port := toString ($discovery.port | default 11434) }}
{{- if not (and (regexMatch "^[1-9][0-9]*$" $port) (le (int $port) 65535)) }}
{{- fail (printf "upstream.discovery.port must be a port number (1-65535), not %v" $discovery.port) }}
{{- end }}
{{- $_ := set $upstream "discovery" (dict "dns" (toString $discovery.dns) "port" (int $port) "refresh" (toString ($discovery.refresh | default "30s")) "scheme" $scheme) }}
{{- end }}
{{- if or $hosts $discovery.dns }}
{{- $upstream = omit $upstream "url" }}
{{- end }}
{{- toYaml $upstream }}
{{- end }}

{{/*
The fleet in one line, for NOTES.txt: the host names, and the DNS name discovery resolves.
*/}}
{{- define "keepwarm.fleetSummary" -}}
{{- $parts := list }}
{{- with .Values.upstream.hosts }}
{{- $names := list }}
{{- range . }}{{ $names = append $names (printf "%s (%s)" .name .url) }}{{ end }}
{{- $parts = append $parts (printf "hosts %s" (join ", " $names)) }}
{{- end }}
{{- if (.Values.upstream.discovery | default dict).dns }}
{{- $parts = append $parts (printf "every address of %s, port %v" .Values.upstream.discovery.dns (.Values.upstream.discovery.port | default 11434)) }}
{{- end }}
{{- join "; and " $parts }}
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
