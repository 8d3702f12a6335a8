"""Offline checks of a rendered overlay (the output of `kustomize build`), run by
scripts/validate-k8s.

1. Built-in kinds against the Kubernetes OpenAPI schemas bundled by kubernetes-validate, strict
   (an unknown field is an error, as with `kubectl apply`'s default field validation).
2. Custom resources against the openAPIV3Schema of their CRD (../shared/k8s-crds/): converted to
   JSON Schema, unknown fields rejected, the CRDs' CEL rules (x-kubernetes-validations)
   evaluated with cel-python.
3. References between objects: Services, PDBs and NetworkPolicies select pods that exist,
   autoscalers target workloads that exist, topics and node pools name the Kafka cluster,
   replication fits the brokers, KEDA stays within the partitions; and the pod security
   settings every Safeguard workload must have.
4. It writes the PrometheusRule groups and the Grafana dashboards' queries (as recording
   rules) to files, for promtool.

Exit status 1 when anything is wrong, with one line per problem.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import celpy
import jsonschema
import kubernetes_validate
import yaml
from celpy.adapter import json_to_cel
from celpy.celtypes import BoolType

__all__ = ["CrdSchemas", "Report", "main", "validate_documents"]

Doc = dict[str, Any]
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def ident(doc: Doc) -> str:
    return f"{doc.get('kind', '?')}/{doc.get('metadata', {}).get('name', '?')}"


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def error(self, doc: Doc | None, message: str) -> None:
        self.errors.append(f"{ident(doc)}: {message}" if doc else message)


# ---- custom resources: CRD openAPIV3Schema -> JSON Schema ---------------------------------------


def to_json_schema(node: Any) -> Any:
    """OpenAPI v3 (Kubernetes structural schema) to JSON Schema.

    x-kubernetes-int-or-string becomes integer-or-string, nullable adds null, and an object
    with properties but no additionalProperties and no x-kubernetes-preserve-unknown-fields
    gets additionalProperties: false (the API server would drop or, with strict field
    validation, refuse such fields: here they are errors, so typos are caught)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _converted(key, value) for key, value in node.items() if _kept(key)}
    if node.get("x-kubernetes-int-or-string") and "type" not in node and "anyOf" not in node:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    closed = "additionalProperties" not in node and not node.get(
        "x-kubernetes-preserve-unknown-fields"
    )
    if "properties" in node and closed:
        out["additionalProperties"] = False
    return out


def _kept(key: str) -> bool:
    dropped = ("description", "format", "x-kubernetes-validations", "nullable")
    return key not in dropped and not key.startswith("x-kubernetes-")


def _converted(key: str, value: Any) -> Any:
    if key == "properties":
        return {name: to_json_schema(sub) for name, sub in value.items()}
    if key in ("items", "additionalProperties", "not", "anyOf", "oneOf", "allOf"):
        return to_json_schema(value)  # a bool additionalProperties passes through
    return value


@dataclass(frozen=True)
class CrdVersion:
    openapi: dict[str, Any]
    validator: jsonschema.protocols.Validator


class CrdSchemas:
    """The served versions of every CRD in a folder, by (group, version, kind)."""

    def __init__(self, folder: Path) -> None:
        self._schemas: dict[tuple[str, str, str], CrdVersion] = {}
        self.groups: set[str] = set()
        for path in sorted(folder.rglob("*.yaml")):
            for crd in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
                self.groups.add(group)
                for version in crd["spec"]["versions"]:
                    if not version.get("served"):
                        continue
                    openapi = version["schema"]["openAPIV3Schema"]
                    schema = to_json_schema(openapi)
                    # metadata is checked below like the API server does, not by the CRD.
                    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                    validator = jsonschema.Draft202012Validator(schema)
                    self._schemas[(group, version["name"], kind)] = CrdVersion(openapi, validator)
        if not self._schemas:
            raise SystemExit(f"validate: no CustomResourceDefinition under {folder}")

    def get(self, api_version: str, kind: str) -> CrdVersion | None:
        group, _, version = api_version.rpartition("/")
        return self._schemas.get((group, version, kind))


def cel_rules(schema: Any, value: Any, path: str) -> Iterator[tuple[str, str, str, Any]]:
    """(path, rule, message, self) for every x-kubernetes-validations rule that applies."""
    if not isinstance(schema, dict):
        return
    for rule in schema.get("x-kubernetes-validations", []):
        yield path, rule["rule"], rule.get("message", rule["rule"]), value
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            yield from cel_rules(child, sub, f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from cel_rules(schema["items"], item, f"{path}[{index}]")


def check_custom_resource(doc: Doc, crd: CrdVersion, report: Report) -> None:
    errors = sorted(crd.validator.iter_errors(doc), key=lambda e: list(map(str, e.path)))
    for problem in errors:
        where = ".".join(str(part) for part in problem.absolute_path) or "(root)"
        report.error(doc, f"{where}: {problem.message}")
    if errors:
        return
    environment = celpy.Environment()
    for path, rule, message, value in cel_rules(crd.openapi, doc, ""):
        try:
            program = environment.program(environment.compile(rule))
            result = program.evaluate({"self": json_to_cel(value)})
        except Exception as error:  # e.g. a Kubernetes CEL library cel-python lacks: say so
            report.notes.append(f"{ident(doc)}{path}: CEL rule not evaluated ({error})")
            continue
        if not (isinstance(result, BoolType) and bool(result)):
            report.error(doc, f"{path.lstrip('.') or '(root)'}: {message}")


def check_metadata(doc: Doc, report: Report) -> None:
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        report.error(doc, "metadata.name is required")
        return
    name = metadata["name"]
    if len(name) > 253 or not DNS_SUBDOMAIN.match(name):
        report.error(doc, f"metadata.name {name!r} is not a DNS subdomain")
    for key in ("labels", "annotations"):
        values = metadata.get(key, {})
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            report.error(doc, f"metadata.{key} must map strings to strings")


# ---- references between objects and Safeguard's own rules --------------------------------------


def pod_template(doc: Doc) -> Doc | None:
    if doc.get("kind") in WORKLOAD_KINDS:
        template: Doc = doc.get("spec", {}).get("template", {})
        return template
    return None


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        present, value = expression["key"] in labels, labels.get(expression["key"])
        operator, values = expression["operator"], expression.get("values", [])
        if (
            (operator == "In" and value not in values)
            or (operator == "NotIn" and value in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


def check_references(docs: list[Doc], report: Report) -> None:
    by_kind: dict[str, list[Doc]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    workloads = [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]
    pods = [(doc, pod_template(doc) or {}) for doc in workloads]
    check_services(by_kind, pods, report)
    check_selectors(by_kind, pods, report)
    check_scalers(by_kind, workloads, report)
    check_kafka(by_kind, report)
    for doc, tpl in pods:
        check_pod_security(doc, tpl, report)


Pods = list[tuple[Doc, Doc]]


def _matching(pods: Pods, selector: Doc) -> Pods:
    return [
        (doc, tpl)
        for doc, tpl in pods
        if selects(selector, tpl.get("metadata", {}).get("labels", {}))
    ]


def check_services(by_kind: dict[str, list[Doc]], pods: Pods, report: Report) -> None:
    for service in by_kind.get("Service", []):
        selector = service["spec"].get("selector")
        if not selector:
            continue
        targets = _matching(pods, {"matchLabels": selector})
        if not targets:
            report.error(service, "its selector matches no pod template")
        names = {
            port.get("name")
            for _, tpl in targets
            for container in tpl["spec"]["containers"]
            for port in container.get("ports", [])
        }
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort")
            if isinstance(target, str) and target not in names:
                report.error(service, f"targetPort {target!r} is no container port of its pods")


def check_selectors(by_kind: dict[str, list[Doc]], pods: Pods, report: Report) -> None:
    for kind in ("PodDisruptionBudget", "NetworkPolicy"):
        for doc in by_kind.get(kind, []):
            selector = doc["spec"].get("selector") or doc["spec"].get("podSelector") or {}
            if selector and not _matching(pods, selector):
                report.error(doc, "its selector matches no pod template")
    for doc, tpl in pods:
        if not selects(doc["spec"]["selector"], tpl.get("metadata", {}).get("labels", {})):
            report.error(doc, "spec.selector does not match its own pod template")
    services = {s["metadata"]["name"]: s for s in by_kind.get("Service", [])}
    for statefulset in by_kind.get("StatefulSet", []):
        name = statefulset["spec"].get("serviceName")
        if name not in services or services[name]["spec"].get("clusterIP") != "None":
            report.error(statefulset, f"serviceName {name!r} is not a headless Service here")


def check_scalers(by_kind: dict[str, list[Doc]], workloads: list[Doc], report: Report) -> None:
    scaled: dict[tuple[str, str], Doc] = {}
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        ref = hpa["spec"]["scaleTargetRef"]
        scaled[(ref["kind"], ref["name"])] = hpa
    for scaledobject in by_kind.get("ScaledObject", []):
        ref = scaledobject["spec"]["scaleTargetRef"]
        scaled[(ref.get("kind", "Deployment"), ref["name"])] = scaledobject
    for (kind, name), scaler in scaled.items():
        target = [
            doc for doc in workloads if doc["kind"] == kind and doc["metadata"]["name"] == name
        ]
        if not target:
            report.error(scaler, f"scaleTargetRef {kind}/{name} is not in this overlay")
        elif "replicas" in target[0]["spec"]:
            report.error(target[0], f"sets spec.replicas although {ident(scaler)} owns the count")


def check_kafka(by_kind: dict[str, list[Doc]], report: Report) -> None:
    clusters = {doc["metadata"]["name"]: doc for doc in by_kind.get("Kafka", [])}
    brokers = _check_node_pools(clusters, by_kind.get("KafkaNodePool", []), report)
    partitions = _check_topics(clusters, brokers, by_kind.get("KafkaTopic", []), report)
    for scaledobject in by_kind.get("ScaledObject", []):
        _check_kafka_triggers(scaledobject, partitions, report)


def _cluster_of(doc: Doc, clusters: dict[str, Doc], report: Report) -> str | None:
    cluster = doc["metadata"].get("labels", {}).get("strimzi.io/cluster")
    if cluster not in clusters:
        report.error(doc, f"label strimzi.io/cluster {cluster!r} names no Kafka here")
        return None
    return str(cluster)


def _check_node_pools(clusters: dict[str, Doc], pools: list[Doc], report: Report) -> dict[str, int]:
    """Each cluster's broker count; a cluster needs both roles."""
    roles: dict[str, dict[str, int]] = {name: {"broker": 0, "controller": 0} for name in clusters}
    for pool in pools:
        cluster = _cluster_of(pool, clusters, report)
        if cluster is None:
            continue
        for role in pool["spec"]["roles"]:
            roles[cluster][role] += pool["spec"]["replicas"]
    for name, count in roles.items():
        if not count["broker"] or not count["controller"]:
            report.error(clusters[name], f"node pools give it {count}: it needs both roles")
    return {name: count["broker"] for name, count in roles.items()}


def _check_topics(
    clusters: dict[str, Doc], brokers: dict[str, int], topics: list[Doc], report: Report
) -> dict[str, int]:
    """Each topic's partition count; replicas and min.insync.replicas must fit the brokers."""
    partitions: dict[str, int] = {}
    for topic in topics:
        cluster = _cluster_of(topic, clusters, report)
        if cluster is None:
            continue
        spec = topic["spec"]
        partitions[spec.get("topicName", topic["metadata"]["name"])] = spec.get("partitions", 0)
        replicas = spec.get("replicas", 0)
        min_isr = int(spec.get("config", {}).get("min.insync.replicas", 1))
        if replicas > brokers[cluster]:
            report.error(topic, f"replicas {replicas} > {brokers[cluster]} broker(s)")
        if min_isr > replicas:
            report.error(topic, f"min.insync.replicas {min_isr} > replicas {replicas}")
    return partitions


def _check_kafka_triggers(scaledobject: Doc, partitions: dict[str, int], report: Report) -> None:
    for trigger in scaledobject["spec"]["triggers"]:
        if trigger["type"] != "kafka":
            continue
        topic = trigger["metadata"].get("topic")
        if topic not in partitions:
            report.error(scaledobject, f"trigger topic {topic!r} has no KafkaTopic here")
        elif scaledobject["spec"].get("maxReplicaCount", 100) > partitions[topic]:
            report.error(scaledobject, f"maxReplicaCount > the {partitions[topic]} partitions")


def check_pod_security(doc: Doc, template: Doc, report: Report) -> None:
    spec = template.get("spec", {})
    pod = spec.get("securityContext", {})
    if not pod.get("runAsNonRoot") or pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        report.error(doc, "pod securityContext needs runAsNonRoot and seccomp RuntimeDefault")
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        name = container["name"]
        security = container.get("securityContext", {})
        if (
            security.get("allowPrivilegeEscalation") is not False
            or security.get("readOnlyRootFilesystem") is not True
            or "ALL" not in security.get("capabilities", {}).get("drop", [])
        ):
            report.error(
                doc,
                f"container {name}: needs allowPrivilegeEscalation false, "
                "readOnlyRootFilesystem true, capabilities drop ALL",
            )
        resources = container.get("resources", {})
        for kind in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(kind, {})):
                report.error(doc, f"container {name}: resources.{kind} needs cpu and memory")
        for probe in ("livenessProbe", "readinessProbe"):
            if probe not in container:
                report.error(doc, f"container {name}: no {probe}")
        ports = {port.get("name") for port in container.get("ports", [])}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            port = container.get(probe, {}).get("httpGet", {}).get("port")
            if isinstance(port, str) and port not in ports:
                report.error(doc, f"container {name}: {probe} port {port!r} is not declared")


# ---- monitoring: rules and dashboards for promtool ----------------------------------------------


def extract_rules(docs: list[Doc]) -> list[Doc]:
    groups: list[Doc] = []
    for doc in docs:
        if doc["kind"] == "PrometheusRule":
            groups.extend(doc["spec"]["groups"])
    return groups


def dashboard_queries(docs: list[Doc], report: Report) -> list[Doc]:
    """Every query of every dashboard ConfigMap, as recording rules promtool can parse."""
    rules: list[Doc] = []
    for doc in docs:
        labels = doc.get("metadata", {}).get("labels", {})
        if doc["kind"] != "ConfigMap" or labels.get("grafana_dashboard") != "1":
            continue
        for key, text in doc.get("data", {}).items():
            try:
                dashboard = json.loads(text)
            except json.JSONDecodeError as error:
                report.error(doc, f"{key} is not JSON: {error}")
                continue
            ids = [panel.get("id") for panel in dashboard.get("panels", [])]
            if len(ids) != len(set(ids)):
                report.error(doc, f"{key}: panel ids are not unique")
            for panel in dashboard.get("panels", []):
                grid = panel.get("gridPos", {})
                if grid.get("x", 0) + grid.get("w", 0) > 24:
                    report.error(doc, f"{key}: panel {panel.get('title')!r} is wider than the grid")
                for target in panel.get("targets", []):
                    record = f"dashboard:panel_{panel['id']}_{target.get('refId', 'A')}"
                    rules.append({"record": record, "expr": target["expr"]})
    return rules


# ---- driver --------------------------------------------------------------------------------------


def validate_documents(
    docs: list[Doc], crds: CrdSchemas, kubernetes_versions: list[str], report: Report
) -> None:
    for doc in docs:
        if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
            report.error(None, f"not a Kubernetes object: {str(doc)[:80]}")
            continue
        check_metadata(doc, report)
        group = doc["apiVersion"].rpartition("/")[0]
        if group in crds.groups:
            crd = crds.get(doc["apiVersion"], doc["kind"])
            if crd is None:
                report.error(doc, f"{doc['apiVersion']} is not a served version of a known CRD")
            else:
                check_custom_resource(doc, crd, report)
            continue
        for version in kubernetes_versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(part) for part in error.path) or "(root)"
                report.error(doc, f"Kubernetes {version}: {where}: {error.message}")
                break
            except kubernetes_validate.SchemaNotFoundError:
                report.error(doc, f"no schema for {doc['apiVersion']} {doc['kind']} in {version}")
                break
    objects = [doc for doc in docs if isinstance(doc, dict) and "kind" in doc]
    if not report.errors:  # references assume well-formed objects
        check_references(objects, report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rendered", type=Path, help="output of kustomize build")
    parser.add_argument("--crds", type=Path, required=True)
    parser.add_argument("--kubernetes-version", action="append", required=True)
    parser.add_argument("--rules-out", type=Path, required=True)
    parser.add_argument("--dashboard-rules-out", type=Path, required=True)
    args = parser.parse_args(argv)

    docs = [doc for doc in yaml.safe_load_all(args.rendered.read_text(encoding="utf-8")) if doc]
    report = Report()
    validate_documents(docs, CrdSchemas(args.crds), args.kubernetes_version, report)
    if not report.errors:
        args.rules_out.write_text(yaml.safe_dump({"groups": extract_rules(docs)}, sort_keys=False))
        queries = dashboard_queries(docs, report)
        args.dashboard_rules_out.write_text(
            yaml.safe_dump({"groups": [{"name": "dashboards", "rules": queries}]}, sort_keys=False)
        )
    for note in report.notes:
        print(f"  note: {note}")
    for error in report.errors:
        print(f"  ERROR {error}")
    kinds: dict[str, int] = {}
    for doc in docs:
        kinds[doc.get("kind", "?")] = kinds.get(doc.get("kind", "?"), 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(f"  {len(docs)} objects ({summary}): {len(report.errors)} error(s)")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
