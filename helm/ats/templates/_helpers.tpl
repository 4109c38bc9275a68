{{/* Names, labels and the pieces every workload shares. */}}

{{- define "ats.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ats.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The object name of a component: <fullname>-<component>. Call with (list $ "main"). */}}
{{- define "ats.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "ats.fullname" $root | trunc 50 | trimSuffix "-") (index . 1) -}}
{{- end -}}

{{/* The service each component runs, which is also its image's name. */}}
{{- define "ats.serviceName" -}}
{{- $services := dict "main" "main-server" "directory" "directory-service" "broker" "tunnel-broker" "verifier" "kms-verifier" "relay" "relay-service" -}}
{{- get $services . -}}
{{- end -}}

{{/*
Selector labels: name and instance only (they never change for the life of a release). The name
is the component's service, so each component's selector is its own.
Call with (list $ "main").
*/}}
{{- define "ats.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "ats.serviceName" (index . 1) }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end -}}

{{/* Every object's labels. Call with (list $ "main"), or (list $ "") for release-wide objects. */}}
{{- define "ats.labels" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- if $component -}}
{{ include "ats.selectorLabels" . }}
app.kubernetes.io/component: {{ $component }}
{{- else -}}
app.kubernetes.io/name: {{ include "ats.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end }}
app.kubernetes.io/part-of: ats
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ats.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ats.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ats.domain" -}}
{{- required "domain is required (the domain ATS is served under, e.g. ats.example.com)" .Values.domain -}}
{{- end -}}

{{/* A component's image. Call with (list $ "main" .Values.main.image). */}}
{{- define "ats.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 2 -}}
{{- $repository := default (printf "%s/%s" $root.Values.image.repositoryPrefix (include "ats.serviceName" (index . 1))) $image.repository -}}
{{- if $image.digest -}}
{{- printf "%s/%s@%s" $root.Values.image.registry $repository $image.digest -}}
{{- else -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $repository (default (default $root.Chart.AppVersion $root.Values.image.tag) $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* In-cluster base URLs of the services' HTTP ports. */}}
{{- define "ats.mainUrl" -}}http://{{ include "ats.componentName" (list . "main") }}:8080{{- end -}}
{{- define "ats.directoryUrl" -}}http://{{ include "ats.componentName" (list . "directory") }}:8082{{- end -}}
{{- define "ats.brokerApiUrl" -}}http://{{ include "ats.componentName" (list . "broker") }}:8083{{- end -}}

{{- define "ats.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "ats.fullname" .)) .Values.certificate.secretName -}}
{{- end -}}

{{/* The database Secret, and its keys, the services read their credentials from. */}}
{{- define "ats.databaseSecret" -}}
{{- if eq .Values.postgresql.mode "cloudnative-pg" -}}
{{- printf "%s-app" (include "ats.componentName" (list . "db")) -}}
{{- else -}}
{{- required "postgresql.external.existingSecret is required with postgresql.mode external" .Values.postgresql.external.existingSecret -}}
{{- end -}}
{{- end -}}
{{- define "ats.databaseUsernameKey" -}}
{{- if eq .Values.postgresql.mode "cloudnative-pg" }}username{{ else }}{{ .Values.postgresql.external.usernameKey }}{{ end -}}
{{- end -}}
{{- define "ats.databasePasswordKey" -}}
{{- if eq .Values.postgresql.mode "cloudnative-pg" }}password{{ else }}{{ .Values.postgresql.external.passwordKey }}{{ end -}}
{{- end -}}

{{/* The R2DBC URL of one database. Call with (list $ "ats_directory"). */}}
{{- define "ats.databaseUrl" -}}
{{- $root := index . 0 -}}
{{- $pg := $root.Values.postgresql -}}
{{- if eq $pg.mode "cloudnative-pg" -}}
{{- printf "r2dbc:postgresql://%s-rw:5432/%s?sslmode=require" (include "ats.componentName" (list $root "db")) (index . 1) -}}
{{- else -}}
{{- $host := required "postgresql.external.host is required with postgresql.mode external" $pg.external.host -}}
{{- printf "r2dbc:postgresql://%s:%d/%s%s" $host (int $pg.external.port) (index . 1) (ternary (printf "?%s" $pg.external.parameters) "" (ne $pg.external.parameters "")) -}}
{{- end -}}
{{- end -}}

{{/* Environment entries for the database. Call with (list $ "ats_directory"). */}}
{{- define "ats.databaseEnv" -}}
{{- $root := index . 0 -}}
- name: SPRING_R2DBC_URL
  value: {{ include "ats.databaseUrl" . | quote }}
- name: SPRING_R2DBC_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "ats.databaseSecret" $root }}
      key: {{ include "ats.databaseUsernameKey" $root }}
- name: SPRING_R2DBC_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "ats.databaseSecret" $root }}
      key: {{ include "ats.databasePasswordKey" $root }}
{{- end -}}

{{/*
The pod spec every service shares: security contexts, probes on the actuator (the `management`
port, which binds the pod's addresses here, not loopback as outside a cluster), /tmp as the one
writable place, graceful shutdown, config checksum. Call with a dict:
  root, component, values (the component's values), ports (list of dicts name/port),
  env (rendered YAML list of secret-backed entries; the rest comes from the component's
  ConfigMap of the same name), volumes and volumeMounts (rendered YAML lists, optional),
  checksum (string hashed into an annotation).
*/}}
{{- define "ats.podTemplate" -}}
{{- $root := .root -}}
{{- $values := .values -}}
metadata:
  labels:
    {{- include "ats.labels" (list $root .component) | nindent 4 }}
  annotations:
    checksum/config: {{ .checksum | sha256sum }}
    {{- with $values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "ats.serviceAccountName" $root }}
  automountServiceAccountToken: false
  enableServiceLinks: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
  containers:
    - name: {{ include "ats.serviceName" .component }}
      image: {{ include "ats.image" (list $root .component $values.image) }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      securityContext:
        {{- toYaml $root.Values.containerSecurityContext | nindent 8 }}
      ports:
        {{- range .ports }}
        - name: {{ .name }}
          containerPort: {{ .port }}
          protocol: TCP
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "ats.componentName" (list $root .component) }}
      env:
        - name: JAVA_TOOL_OPTIONS
          value: {{ $root.Values.javaToolOptions | quote }}
        # The kubelet probes and Prometheus scrapes the pod's address; the network policy admits only Prometheus.
        - name: MANAGEMENT_SERVER_ADDRESS
          value: "0.0.0.0"
        {{- with .env }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        httpGet: {path: /actuator/health/liveness, port: management}
        periodSeconds: 2
        failureThreshold: 60
      livenessProbe:
        httpGet: {path: /actuator/health/liveness, port: management}
        periodSeconds: 10
        timeoutSeconds: 3
        failureThreshold: 3
      readinessProbe:
        httpGet: {path: /actuator/health/readiness, port: management}
        periodSeconds: 5
        timeoutSeconds: 3
        failureThreshold: 2
      lifecycle:
        preStop:
          sleep:
            seconds: {{ $root.Values.preStopSleepSeconds }}
      resources:
        {{- toYaml $values.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- with .volumeMounts }}
        {{- . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
    {{- with .volumes }}
    {{- . | nindent 4 }}
    {{- end }}
  {{- with $values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* A ClusterIP Service. Call with (list $ "main" (list (dict "name" "http" "port" 8080) ...)). */}}
{{- define "ats.service" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "ats.componentName" (list $root $component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "ats.labels" (list $root $component) | nindent 4 }}
    ats.run/metrics: "true"
spec:
  type: ClusterIP
  selector:
    {{- include "ats.selectorLabels" (list $root $component) | nindent 4 }}
  ports:
    {{- range index . 2 }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
    {{- end }}
{{- end -}}

{{/* The PodDisruptionBudget and HorizontalPodAutoscaler of a Deployment. Call with (list $ "main" .Values.main). */}}
{{- define "ats.scaling" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $values := index . 2 -}}
{{- if $root.Values.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "ats.componentName" (list $root $component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "ats.labels" (list $root $component) | nindent 4 }}
spec:
  maxUnavailable: {{ $root.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "ats.selectorLabels" (list $root $component) | nindent 6 }}
{{- end }}
{{- if and (hasKey $values "autoscaling") $values.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "ats.componentName" (list $root $component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "ats.labels" (list $root $component) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "ats.componentName" (list $root $component) }}
  minReplicas: {{ $values.autoscaling.minReplicas }}
  maxReplicas: {{ $values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}

{{/* A Deployment. Call with a dict as for ats.podTemplate. */}}
{{- define "ats.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "ats.componentName" (list $root .component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "ats.labels" (list $root .component) | nindent 4 }}
spec:
  {{- if not .values.autoscaling.enabled }}
  replicas: {{ .values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "ats.selectorLabels" (list $root .component) | nindent 6 }}
  template:
    {{- include "ats.podTemplate" . | nindent 4 }}
{{- end -}}

{{/* A NetworkPolicy peer: the pods of one component. Call with (list $ "main"). */}}
{{- define "ats.peer" -}}
{{- $root := index . 0 -}}
podSelector:
  matchLabels:
    {{- include "ats.selectorLabels" (list $root (index . 1)) | nindent 4 }}
{{- end -}}

{{/* The Secret holding the directory's signing key: the operator's, else the one the chart makes. */}}
{{- define "ats.directorySigningKeySecret" -}}
{{- default (printf "%s-key" (include "ats.componentName" (list . "directory"))) .Values.directory.signingKey.existingSecret -}}
{{- end -}}

{{/*
The directory's signing key (PKCS#8 PEM) when the chart makes it: the one in the chart's Secret if the
cluster has it (install and upgrade), else a new one. Made once per render (kept in .Values), so the
Secret and every pin below agree.
*/}}
{{- define "ats.directorySigningKeyPem" -}}
{{- if not (hasKey .Values "atsDirectorySigningKeyPem") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "ats.directorySigningKeySecret" .) -}}
{{- $pem := "" -}}
{{- if and $existing (index $existing.data .Values.directory.signingKey.key) -}}
{{- $pem = index $existing.data .Values.directory.signingKey.key | b64dec -}}
{{- else -}}
{{- $pem = genPrivateKey "ed25519" -}}
{{- end -}}
{{- $_ := set .Values "atsDirectorySigningKeyPem" $pem -}}
{{- end -}}
{{- .Values.atsDirectorySigningKeyPem -}}
{{- end -}}

{{/*
The directory's public key that the broker and every relay in the cluster pin (raw 32 bytes,
base64url), so none trusts the key the directory serves on first use. With an operator's Secret,
directory.signingKey.publicKey. Otherwise derived from the chart's key: templates have no "public
key of" function, but a self-signed certificate made with the key carries its SubjectPublicKeyInfo,
whose Ed25519 form is a fixed 12-byte prefix and then the 32 key bytes.
*/}}
{{- define "ats.directoryPublicKey" -}}
{{- if .Values.directory.signingKey.existingSecret -}}
{{- required "directory.signingKey.publicKey is required with directory.signingKey.existingSecret: the public key of that Secret's private key (raw 32 bytes, base64url)" .Values.directory.signingKey.publicKey -}}
{{- else -}}
{{- $cert := genSelfSignedCertWithKey "ats-directory" nil nil 1 (include "ats.directorySigningKeyPem" .) -}}
{{- $der := $cert.Cert | replace "-----BEGIN CERTIFICATE-----" "" | replace "-----END CERTIFICATE-----" "" | nospace | b64dec -}}
{{- $raw := substr 0 32 (index (splitList "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00" $der) 1) -}}
{{- $raw | b64enc | replace "+" "-" | replace "/" "_" | trimSuffix "=" -}}
{{- end -}}
{{- end -}}
