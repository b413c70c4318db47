{{/*
Thresholds: one source for the monitor's built-in rules (config.yaml) and the PrometheusRule.
Values are written as in the config file: numbers (10, 0.9) and durations (7d, 90m, or a number of
seconds). These helpers read them the way src/config does (src/config/duration.ts, cross-checks.ts).
*/}}

{{/*
The rules of src/alerts/rules/index.ts (test/chart/prometheus-rules.test.ts checks these lists against it).
*/}}
{{/* The value (two-level) rules, in the order the monitor lists them. */}}
{{- define "spm.valueRuleNames" -}}balance emailsLeft smtpEmailsLeft smtpTraffic tariffExpiry subscribers runway{{- end }}

{{/* The on/off rules: on unless set to false. */}}
{{- define "spm.flagRuleNames" -}}credentials stale unreadable{{- end }}

{{/* Rules whose levels are durations (7d). */}}
{{- define "spm.durationRules" -}}tariffExpiry runway{{- end }}

{{/* Rules whose levels may be a percentage of a limit (10%). */}}
{{- define "spm.percentRules" -}}smtpEmailsLeft smtpTraffic{{- end }}

{{/* Rules whose levels are amounts of traffic (500Mb, 1 Mb = 2^20 bytes; or a number of bytes). */}}
{{- define "spm.bytesRules" -}}smtpTraffic{{- end }}

{{/* Rules that fire when the value is below the threshold (strictly); the others at or above it. */}}
{{- define "spm.belowRules" -}}balance emailsLeft smtpEmailsLeft smtpTraffic tariffExpiry runway{{- end }}

{{/*
A number as PromQL and YAML read it: whole numbers without an exponent (helm reads 1000000 as
1e+06), others as Go prints them.
*/}}
{{- define "spm.num" -}}
{{- $f := float64 . -}}
{{- if and (eq (floor $f) $f) (lt $f 1e15) (gt $f -1e15) }}{{ int64 $f }}{{ else }}{{ $f }}{{ end -}}
{{- end }}

{{/* Seconds in a duration (30s, 5m, 1h30m, 7d, 500ms, or a number of seconds); "" when it is not one. */}}
{{- define "spm.seconds" -}}
{{- $in := trim (toString .) -}}
{{- if regexMatch "^[0-9]+(\\.[0-9]+)?$" $in -}}
{{- include "spm.num" $in -}}
{{- else if regexMatch "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$" $in -}}
{{- $units := dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 "d" 86400.0 -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)" $in -1 -}}
{{- $n := regexFind "^[0-9]+(\\.[0-9]+)?" . -}}
{{- $u := trimPrefix $n . -}}
{{- $total = addf $total (mulf (float64 $n) (get $units $u)) -}}
{{- end -}}
{{- include "spm.num" $total -}}
{{- end -}}
{{- end }}

{{/*
A level of a rule as PromQL compares it: seconds for the duration rules, bytes for the traffic rule,
the number for the others; a percentage of a limit (10%) as `pct:0.1`. "" when it is none of these
(values.schema.json and templates/_validate.tpl report it). Args: list rule value.
*/}}
{{- define "spm.level" -}}
{{- $rule := index . 0 -}}
{{- $v := index . 1 -}}
{{- $text := trim (toString $v) -}}
{{- $isNum := or (kindIs "float64" $v) (kindIs "int64" $v) (kindIs "int" $v) -}}
{{- if and (has $rule (splitList " " (include "spm.percentRules" .))) (regexMatch "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)\\s*%$" $text) -}}
pct:{{ include "spm.num" (divf (float64 (trimSuffix "%" $text | trim)) 100) }}
{{- else if has $rule (splitList " " (include "spm.durationRules" .)) -}}
{{- include "spm.seconds" $v -}}
{{- else if and (has $rule (splitList " " (include "spm.bytesRules" .))) (not $isNum) -}}
{{- $m := regexFindAll "(?i)^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)\\s*([kmgt]?b)$" $text 1 -}}
{{- if $m -}}
{{- $n := regexFind "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)" $text -}}
{{- $unit := lower (trim (trimPrefix $n $text)) -}}
{{- $mult := get (dict "b" 1.0 "kb" 1024.0 "mb" 1048576.0 "gb" 1073741824.0 "tb" 1099511627776.0) $unit -}}
{{- include "spm.num" (round (mulf (float64 $n) $mult) 0) -}}
{{- end -}}
{{- else if $isNum -}}
{{- include "spm.num" $v -}}
{{- end -}}
{{- end }}

{{/*
The rules in force, as JSON: for each value rule, the global levels ({} when off) and per-account
overrides (an account with its own levels, or with the rule turned off, is left out of the global
expression: `except`), merged the way src/config/merge-alert-rules.ts merges them; for each flag
rule, whether it is on globally and the accounts that differ.
  {"balance": {"global": {"warning": "10", "critical": "2", "warningText": "10", ...},
               "except": ["shop"], "accounts": [{"name": "shop", "warning": ...}]},
   "credentials": {"on": true, "except": ["x"]}, ...}
*/}}
{{- define "spm.rulePlan" -}}
{{- $root := . -}}
{{- $g := default dict $root.Values.config.alerts.rules -}}
{{- $plan := dict -}}
{{- range $rule := splitList " " (include "spm.valueRuleNames" $root) -}}
{{- $glob := get $g $rule -}}
{{- $gd := dict -}}
{{- if kindIs "map" $glob }}{{ $gd = $glob }}{{ end -}}
{{- $entry := dict "global" (include "spm.levels" (list $rule $gd) | fromJson) "except" (list) "accounts" (list) -}}
{{- range $a := $root.Values.accounts -}}
{{- $own := dig "alerts" "rules" $rule "<absent>" $a -}}
{{- if not (and (kindIs "string" $own) (eq $own "<absent>")) -}}
{{- $_ := set $entry "except" (append $entry.except $a.name) -}}
{{- if kindIs "map" $own -}}
{{- $merged := merge (omit $own) $gd -}}
{{- $lv := include "spm.levels" (list $rule $merged) | fromJson -}}
{{- if $lv -}}
{{- $_ := set $lv "name" $a.name -}}
{{- $_ := set $entry "accounts" (append $entry.accounts $lv) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $plan $rule $entry -}}
{{- end -}}
{{- range $rule := splitList " " (include "spm.flagRuleNames" $root) -}}
{{- $on := not (and (hasKey $g $rule) (eq (toString (get $g $rule)) "false")) -}}
{{- $except := list -}}
{{- range $a := $root.Values.accounts -}}
{{- $own := dig "alerts" "rules" $rule "<absent>" $a -}}
{{- if and (ne (toString $own) "<absent>") (ne (eq (toString $own) "true") $on) -}}
{{- $except = append $except $a.name -}}
{{- end -}}
{{- end -}}
{{- $_ := set $plan $rule (dict "on" $on "except" $except) -}}
{{- end -}}
{{- toJson $plan -}}
{{- end }}

{{/* {warning, critical} (numbers as text) and their texts as written, or {} unless both are set. Args: list rule levels. */}}
{{- define "spm.levels" -}}
{{- $rule := index . 0 -}}
{{- $l := index . 1 -}}
{{- if and (hasKey $l "warning") (hasKey $l "critical") (ne (toString $l.warning) "<nil>") (ne (toString $l.critical) "<nil>") -}}
{{- $w := include "spm.level" (list $rule $l.warning) -}}
{{- $c := include "spm.level" (list $rule $l.critical) -}}
{{- if and $w $c -}}
{{- toJson (dict "warning" $w "critical" $c "warningText" (include "spm.levelText" (list $rule $l.warning)) "criticalText" (include "spm.levelText" (list $rule $l.critical))) -}}
{{- else -}}{}{{- end -}}
{{- else -}}{}{{- end -}}
{{- end }}

{{/* A level as people read it: "7d", "10", "90%", "500Mb", "10% of the plan". Args: list rule value. */}}
{{- define "spm.levelText" -}}
{{- $rule := index . 0 -}}
{{- $v := index . 1 -}}
{{- $isNum := or (kindIs "float64" $v) (kindIs "int64" $v) (kindIs "int" $v) -}}
{{- if eq $rule "subscribers" -}}{{ include "spm.num" (mulf (float64 $v) 100) }}%
{{- else if hasPrefix "pct:" (include "spm.level" .) -}}{{ trim (toString $v) }} of the plan
{{- else if has $rule (splitList " " (include "spm.durationRules" .)) -}}
{{- if $isNum }}{{ include "spm.num" $v }}s{{ else }}{{ $v }}{{ end -}}
{{- else if has $rule (splitList " " (include "spm.bytesRules" .)) -}}
{{- if $isNum }}{{ include "spm.num" $v }} bytes{{ else }}{{ $v }}{{ end -}}
{{- else -}}{{ include "spm.num" $v }}{{- end -}}
{{- end }}

{{/* A series selector: `base` plus the account matcher. Args: list base on except, where `on` says whether the rule is on for accounts not in `except` (then they are left out) or off (then only they are in). */}}
{{- define "spm.accountSelector" -}}
{{- $base := index . 0 -}}
{{- $on := index . 1 -}}
{{- $except := index . 2 -}}
{{- if and $on $except -}}
{{- printf "%s, account!~\"%s\"" $base (join "|" $except) -}}
{{- else if $on -}}
{{- $base -}}
{{- else -}}
{{- printf "%s, account=~\"%s\"" $base (join "|" $except) -}}
{{- end -}}
{{- end }}

{{/* Text with its @PLACEHOLDERS@ replaced (@SERIES@ and @T@ first: they hold others). Args: list text dict. */}}
{{- define "spm.fill" -}}
{{- $s := toString (index . 0) -}}
{{- $subst := index . 1 -}}
{{- range $k := list "@SERIES@" "@T@" -}}
{{- $s = replace $k (toString (default "" (get $subst $k))) $s -}}
{{- end -}}
{{- range $k, $v := $subst -}}
{{- $s = replace $k (toString $v) $s -}}
{{- end -}}
{{- $s -}}
{{- end }}
