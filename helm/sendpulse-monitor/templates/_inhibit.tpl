{{/*
The Alertmanager inhibit rule that goes with the PrometheusRule, in Alertmanager's own config format
(for kube-prometheus-stack's alertmanager.config.inhibit_rules): while an account's critical alert of a
rule fires, the warning of the same rule, account and subject is held back, so getting worse shows as
one alert, not two. `equal` names every label that tells two accounts (and two tariffs, currencies or
runway series of one account) apart, so no account ever silences another. Rendered as an
AlertmanagerConfig by templates/alertmanagerconfig.yaml; the README shows the same rule.
*/}}
{{- define "spm.inhibitRules" -}}
- source_matchers: ['severity="critical"', 'sendpulse_rule=~".+"']
  target_matchers: ['severity="warning"', 'sendpulse_rule=~".+"']
  equal: [namespace, job, sendpulse_rule, account, currency, service, tariff]
{{- end }}
