{{/* The chart name, shortened to fit a DNS label. */}}
{{- define "spm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-qualified name used for every object of the monitor. */}}
{{- define "spm.fullname" -}}
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

{{/* The name of the bundled Redis objects. */}}
{{- define "spm.redisName" -}}
{{- printf "%s-redis" (include "spm.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every object. */}}
{{- define "spm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "spm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sendpulse-monitor
{{- end }}

{{/* Selector labels of the monitor pods. */}}
{{- define "spm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: monitor
{{- end }}

{{/* Selector labels of the bundled Redis pod. */}}
{{- define "spm.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "spm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{/* The service account the monitor runs as. */}}
{{- define "spm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "spm.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding credentials: the user's existingSecret or the one this chart makes. */}}
{{- define "spm.secretName" -}}
{{- default (include "spm.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* The image reference, by digest when one is given. */}}
{{- define "spm.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where the credential files appear in the monitor container. */}}
{{- define "spm.secretDir" -}}/etc/sendpulse-monitor/secrets{{- end }}

{{/* The Redis URL the monitor connects to (templates/_validate.tpl requires redis.url when redis.enabled is false). */}}
{{- define "spm.redisUrl" -}}
{{- if .Values.redis.enabled }}
{{- printf "redis://%s:%d" (include "spm.redisName" .) (int .Values.redis.port) }}
{{- else }}
{{- .Values.redis.url }}
{{- end }}
{{- end }}

{{/* True when Redis needs a password file. */}}
{{- define "spm.redisAuth" -}}
{{- if .Values.redis.auth.enabled }}true{{ end }}
{{- end }}

{{/*
The monitor's config file, rendered from values; secrets are referenced as files, never inlined.
Every alert rule is written out (a value rule not set in values as false, a flag as true or false), so
that the monitor's own defaults never make it disagree with the PrometheusRule rendered from the same values.
*/}}
{{- define "spm.config" -}}
{{- $dir := include "spm.secretDir" . -}}
{{- $accounts := list -}}
{{- range .Values.accounts -}}
{{- $a := omit (deepCopy .) "apiKey" "clientSecret" "auth" -}}
{{- if eq (default "apiKey" .auth) "oauth" -}}
{{- $_ := set $a "clientSecretFile" (printf "%s/%s-client-secret" $dir .name) -}}
{{- else -}}
{{- $a = omit $a "clientId" -}}
{{- $_ := set $a "apiKeyFile" (printf "%s/%s-api-key" $dir .name) -}}
{{- end -}}
{{- $accounts = append $accounts $a -}}
{{- end -}}
{{- $redis := merge (dict "url" (include "spm.redisUrl" .)) (deepCopy (default dict .Values.config.redis)) -}}
{{- if include "spm.redisAuth" . -}}
{{- $_ := set $redis "passwordFile" (printf "%s/redis-password" $dir) -}}
{{- end -}}
{{- $alerts := deepCopy (default dict .Values.config.alerts) -}}
{{- $given := default dict $alerts.rules -}}
{{- $rules := dict -}}
{{- range $rule := splitList " " (include "spm.valueRuleNames" .) -}}
{{- $r := get $given $rule -}}
{{- $_ := set $rules $rule (ternary $r false (kindIs "map" $r)) -}}
{{- end -}}
{{- range $rule := splitList " " (include "spm.flagRuleNames" .) -}}
{{- $_ := set $rules $rule (ne (toString (get $given $rule)) "false") -}}
{{- end -}}
{{- $_ := set $alerts "rules" $rules -}}
{{- /* A channel's filters (config.alerts.<channel>) only count when the channel is enabled under the top-level alerts. */ -}}
{{- range $name := list "email" "webhook" "slack" "discord" "teams" "telegram" -}}
{{- if not (index $.Values.alerts $name).enabled }}{{ $_ := unset $alerts $name }}{{ end -}}
{{- end -}}
{{- with .Values.alerts.email -}}
{{- if .enabled -}}
{{- $_ := set $alerts "email" (merge (dict "smtpUrlFile" (printf "%s/smtp-url" $dir) "from" .from "to" .to) (default dict (index $alerts "email"))) -}}
{{- end -}}
{{- end -}}
{{- with .Values.alerts.webhook -}}
{{- if .enabled -}}
{{- $_ := set $alerts "webhook" (merge (dict "urlFile" (printf "%s/webhook-url" $dir) "headers" .headers) (default dict (index $alerts "webhook"))) -}}
{{- end -}}
{{- end -}}
{{- range $name := list "slack" "discord" "teams" -}}
{{- if (index $.Values.alerts $name).enabled -}}
{{- $_ := set $alerts $name (merge (dict "urlFile" (printf "%s/%s-url" $dir $name)) (default dict (index $alerts $name))) -}}
{{- end -}}
{{- end -}}
{{- with .Values.alerts.telegram -}}
{{- if .enabled -}}
{{- $tg := dict "botTokenFile" (printf "%s/telegram-bot-token" $dir) "chatId" .chatId -}}
{{- $_ := set $alerts "telegram" (merge $tg (default dict (index $alerts "telegram"))) -}}
{{- end -}}
{{- end -}}
{{- $server := dict "host" "0.0.0.0" "port" (int .Values.service.port) -}}
{{- with .Values.config.publicUrl -}}
{{- $_ := set $server "publicUrl" . -}}
{{- end -}}
{{- if .Values.metricsAuth.enabled -}}
{{- $_ := set $server "auth" (dict "bearerTokenFile" (printf "%s/metrics-bearer-token" $dir)) -}}
{{- end -}}
{{- $cfg := dict
  "logLevel" .Values.config.logLevel
  "sendpulse" .Values.config.sendpulse
  "redis" $redis
  "server" $server
  "worker" .Values.config.worker
  "accounts" $accounts
  "alerts" $alerts -}}
{{- toYaml $cfg }}
{{- end }}
