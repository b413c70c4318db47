{{/*
The checks values.schema.json cannot make (they need more than one key, or arithmetic on durations),
so that `helm template` / `helm install` refuse what `sendpulse-monitor validate` would refuse instead
of starting pods that crash-loop. Every problem at once, each naming its key path in values, with the
monitor's wording (src/config/cross-checks.ts). test/chart/bad-values/ holds a case for each.
*/}}
{{- define "spm.validate" -}}
{{- $problems := list -}}
{{- $v := .Values -}}
{{- $ownSecret := not $v.existingSecret -}}

{{- if not $v.accounts -}}
{{- $problems = append $problems "accounts: at least one account is required (the monitor refuses to start without one), e.g. --set 'accounts[0].name=main' --set 'accounts[0].apiKey=...'" -}}
{{- end -}}

{{- /* Accounts: unique names, credentials, intervals, budget, recipients. */ -}}
{{- $seen := dict -}}
{{- $withoutTo := list -}}
{{- range $i, $a := $v.accounts -}}
{{- $at := printf "accounts[%d]" $i -}}
{{- if hasKey $seen $a.name -}}
{{- $problems = append $problems (printf "%s.name: %q is already used by accounts[%v] (names must be unique)" $at $a.name (get $seen $a.name)) -}}
{{- else -}}
{{- $_ := set $seen $a.name $i -}}
{{- end -}}
{{- if eq (default "apiKey" $a.auth) "oauth" -}}
{{- if not $a.clientId }}{{ $problems = append $problems (printf "%s.clientId: is required when auth is oauth" $at) }}{{ end -}}
{{- if and $ownSecret (not $a.clientSecret) }}{{ $problems = append $problems (printf "%s.clientSecret: is required (or set existingSecret with the key %s-client-secret)" $at $a.name) }}{{ end -}}
{{- else if and $ownSecret (not $a.apiKey) -}}
{{- $problems = append $problems (printf "%s.apiKey: is required (or set existingSecret with the key %s-api-key)" $at $a.name) -}}
{{- end -}}
{{- range $key, $d := default dict $a.intervals -}}
{{- $problems = concat $problems (include "spm.minDuration" (list (printf "%s.intervals.%s" $at $key) $d 1 "1s") | fromJsonArray) -}}
{{- end -}}
{{- with $a.budget -}}
{{- $quota := get (dict "free" (list 1000 500000) "standard" (list 2000 1000000) "enterprise" (list 3000 3000000)) (default "free" $a.plan) -}}
{{- if $quota -}}
{{- $share := float64 (default 0.01 .share) -}}
{{- range $k, $w := dict "perMinute" 0 "perDay" 1 -}}
{{- $q := index $quota $w -}}
{{- $win := ternary "minute" "day" (eq $k "perMinute") -}}
{{- if hasKey $a.budget $k -}}
{{- if gt (float64 (get $a.budget $k)) (float64 $q) -}}
{{- $problems = append $problems (printf "%s.budget.%s: %s is above the %s plan's quota of %d requests per %s" $at $k (include "spm.num" (get $a.budget $k)) (default "free" $a.plan) $q $win) -}}
{{- end -}}
{{- else if lt (addf (mulf $share $q) 0.000000001) 1.0 -}}
{{- $problems = append $problems (printf "%s.budget.share: %s of the %s plan's %d requests per %s is less than one request (raise share or set %s)" $at (toString $share) (default "free" $a.plan) $q $win $k) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $to := dig "alerts" "to" (list) $a -}}
{{- if and $to (not $v.alerts.email.enabled) -}}
{{- $problems = append $problems (printf "%s.alerts.to: needs alerts.email.enabled (the SMTP server and sender) to send to" $at) -}}
{{- end -}}
{{- if not $to }}{{ $withoutTo = append $withoutTo (printf "%q" $a.name) }}{{ end -}}
{{- end -}}

{{- /* Durations with a minimum the schema's pattern cannot express. */ -}}
{{- with $v.config.sendpulse -}}
{{- $problems = concat $problems (include "spm.minDuration" (list "config.sendpulse.timeout" .timeout 0.1 "100ms") | fromJsonArray) -}}
{{- with .authBackoff -}}
{{- $problems = concat $problems (include "spm.minDuration" (list "config.sendpulse.authBackoff.initial" .initial 1 "1s") | fromJsonArray) -}}
{{- $problems = concat $problems (include "spm.minDuration" (list "config.sendpulse.authBackoff.max" .max 1 "1s") | fromJsonArray) -}}
{{- $i := include "spm.seconds" (default "60" .initial) -}}
{{- $m := include "spm.seconds" (default "1800" .max) -}}
{{- if and $i $m (lt (float64 $m) (float64 $i)) -}}
{{- $problems = append $problems "config.sendpulse.authBackoff.max: must not be below initial" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with $v.config.alerts -}}
{{- $problems = concat $problems (include "spm.minDuration" (list "config.alerts.repeatInterval" .repeatInterval 1 "1s") | fromJsonArray) -}}
{{- $problems = concat $problems (include "spm.minDuration" (list "config.alerts.runwayWindow" .runwayWindow 1 "1s") | fromJsonArray) -}}
{{- end -}}

{{- /* Thresholds: percentages in range, both levels, and critical past warning (below rules: critical below warning). */ -}}
{{- $g := default dict $v.config.alerts.rules -}}
{{- range $rule := splitList " " (include "spm.valueRuleNames" .) -}}
{{- $glob := get $g $rule -}}
{{- $problems = concat $problems (include "spm.percentProblems" (list $rule (printf "config.alerts.rules.%s" $rule) $glob) | fromJsonArray) -}}
{{- range $i, $a := $v.accounts -}}
{{- $problems = concat $problems (include "spm.percentProblems" (list $rule (printf "accounts[%d].alerts.rules.%s" $i $rule) (dig "alerts" "rules" $rule "<absent>" $a)) | fromJsonArray) -}}
{{- end -}}
{{- if kindIs "map" $glob -}}
{{- $problems = concat $problems (include "spm.orderProblems" (list $rule (printf "config.alerts.rules.%s" $rule) (include "spm.levels" (list $rule $glob) | fromJson)) | fromJsonArray) -}}
{{- end -}}
{{- range $i, $a := $v.accounts -}}
{{- $own := dig "alerts" "rules" $rule "<absent>" $a -}}
{{- if kindIs "map" $own -}}
{{- $at := printf "accounts[%d].alerts.rules.%s" $i $rule -}}
{{- $base := dict -}}
{{- if kindIs "map" $glob }}{{ $base = $glob }}{{ end -}}
{{- $merged := merge (omit $own) $base -}}
{{- range $level := list "warning" "critical" -}}
{{- if not (hasKey $merged $level) -}}
{{- $problems = append $problems (printf "%s.%s: is required (config.alerts.rules.%s has no %s to inherit)" $at $level $rule $level) -}}
{{- end -}}
{{- end -}}
{{- $problems = concat $problems (include "spm.orderProblems" (list $rule $at (include "spm.levels" (list $rule $merged) | fromJson)) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Channels. */ -}}
{{- with $v.alerts.email -}}
{{- if .enabled -}}
{{- if not .from }}{{ $problems = append $problems "alerts.email.from: is required when alerts.email.enabled (the sender address)" }}{{ end -}}
{{- if and (not .to) $withoutTo -}}
{{- $problems = append $problems (printf "alerts.email.to: no recipients for %s (set alerts.email.to or accounts[].alerts.to)" (join ", " $withoutTo)) -}}
{{- end -}}
{{- if and $ownSecret (not .smtpUrl) }}{{ $problems = append $problems "alerts.email.smtpUrl: is required when alerts.email.enabled (or set existingSecret with the key smtp-url)" }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $name := list "webhook" "slack" "discord" "teams" -}}
{{- $c := index $v.alerts $name -}}
{{- if and $c.enabled $ownSecret (not $c.url) -}}
{{- $problems = append $problems (printf "alerts.%s.url: is required when alerts.%s.enabled (or set existingSecret with the key %s-url)" $name $name $name) -}}
{{- end -}}
{{- end -}}
{{- with $v.alerts.telegram -}}
{{- if .enabled -}}
{{- if not .chatId }}{{ $problems = append $problems "alerts.telegram.chatId: is required when alerts.telegram.enabled (a number such as \"-1001234567890\", or @channelname)" }}{{ end -}}
{{- if and $ownSecret (not .botToken) }}{{ $problems = append $problems "alerts.telegram.botToken: is required when alerts.telegram.enabled (or set existingSecret with the key telegram-bot-token)" }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if and $v.metricsAuth.enabled $ownSecret (not $v.metricsAuth.bearerToken) -}}
{{- $problems = append $problems "metricsAuth.bearerToken: is required when metricsAuth.enabled (or set existingSecret with the key metrics-bearer-token)" -}}
{{- end -}}
{{- if and $v.redis.auth.enabled $ownSecret (not $v.redis.auth.password) -}}
{{- $problems = append $problems "redis.auth.password: is required when redis.auth.enabled (or set existingSecret with the key redis-password)" -}}
{{- end -}}
{{- if and (not $v.redis.enabled) (not $v.redis.url) -}}
{{- $problems = append $problems "redis.url: is required when redis.enabled is false (e.g. rediss://redis.example:6380)" -}}
{{- end -}}

{{- if $problems -}}
{{- fail (printf "\n%s" (join "\n" $problems)) -}}
{{- end -}}
{{- end }}

{{/* [problem] when a duration is below its minimum (seconds); [] when fine or not given (the schema checks the form). Args: list path value minSeconds minText. */}}
{{- define "spm.minDuration" -}}
{{- $path := index . 0 -}}
{{- $val := index . 1 -}}
{{- $s := "" -}}
{{- if ne (toString $val) "<nil>" }}{{ $s = include "spm.seconds" $val }}{{ end -}}
{{- if and $s (lt (float64 $s) (float64 (index . 2))) -}}
{{- list (printf "%s: %q is below the minimum of %s" $path (toString $val) (index . 3)) | toJson -}}
{{- else -}}[]{{- end -}}
{{- end }}

{{/* [problem] when critical is not past warning. Args: list rule path levels (from spm.levels). */}}
{{- define "spm.orderProblems" -}}
{{- $rule := index . 0 -}}
{{- $l := index . 2 -}}
{{- $out := list -}}
{{- /* An amount and a percentage of a limit cannot be compared until the limit is known (as in the monitor). */ -}}
{{- if and $l (eq (hasPrefix "pct:" $l.warning) (hasPrefix "pct:" $l.critical)) -}}
{{- $w := float64 (trimPrefix "pct:" $l.warning) -}}
{{- $c := float64 (trimPrefix "pct:" $l.critical) -}}
{{- $_ := set $l "warningText" (trimSuffix " of the plan" $l.warningText) -}}
{{- $_ := set $l "criticalText" (trimSuffix " of the plan" $l.criticalText) -}}
{{- if has $rule (splitList " " (include "spm.belowRules" .)) -}}
{{- if ge $c $w }}{{ $out = append $out (printf "%s: critical (%s) must be below warning (%s)" (index . 1) $l.criticalText $l.warningText) }}{{ end -}}
{{- else -}}
{{- if le $c $w }}{{ $out = append $out (printf "%s: critical (%s) must be above warning (%s)" (index . 1) $l.criticalText $l.warningText) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/* [problem] for each level written as a percentage outside (0, 100]. Args: list rule path levels. */}}
{{- define "spm.percentProblems" -}}
{{- $out := list -}}
{{- $l := index . 2 -}}
{{- if and (kindIs "map" $l) (has (index . 0) (splitList " " (include "spm.percentRules" .))) -}}
{{- range $level := list "warning" "critical" -}}
{{- $t := trim (toString (get $l $level)) -}}
{{- if regexMatch "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)\\s*%$" $t -}}
{{- $n := float64 (trimSuffix "%" $t | trim) -}}
{{- if or (le $n 0.0) (gt $n 100.0) -}}
{{- $out = append $out (printf "%s.%s: %q is not a percentage above 0 and at most 100 %%" (index $ 1) $level $t) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}
