#!/usr/bin/env python3
"""Static checks of the GradWatch deployment files against each other and against the code.

Checks (no cluster is contacted):
  * every YAML document under deploy/ parses and is a Kubernetes object (apiVersion, kind, name);
  * one Namespace, and every namespaced object lives in it;
  * Strimzi: one Kafka (Kafka 4.x, KRaft node pools with controller and broker roles, a Topic
    Operator), and one KafkaTopic for every topic name in events/.../Topics.java, with
    replicas 3, min.insync.replicas 2, a retention, and the dead-letter topic kept longest;
  * FlinkDeployment: entryClass is dev.gradwatch.monitor.MonitorJob (also the shade plugin's
    main class), the jarURI file is the shaded jar that monitor-job/pom.xml produces
    (<artifactId>-<version>-<shadedClassifierName>.jar), the job args are MonitorConfig keys
    (and the job's own checkpoint interval equals the cluster's), flinkVersion and the job image
    match the Flink version in the root pom, upgradeMode savepoint with checkpoint and savepoint
    directories, only Flink 2.x configuration keys;
  * every bootstrap address (the job's --bootstrap.servers, each Deployment's --bootstrap) is the
    Strimzi bootstrap Service of the Kafka resource
    (<name>-kafka-bootstrap[.<namespace>[.svc[.cluster.local]]]) on a plain listener port;
  * the Deployments call existing `gradwatch` subcommands and options (read from
    launcher/src/main/java/dev/gradwatch/cli), and --scenario names a Scenario constant;
  * the Containerfiles copy the same jar to the same path the FlinkDeployment runs, and the
    launcher image is staged where stage-launcher.sh writes;
  * every container has CPU and memory requests and limits.

Needs Python 3 and PyYAML (Debian/Ubuntu: apt-get install python3-yaml).
Usage: python3 deploy/validate.py [--strict] [--root REPO_ROOT]
  --strict  also fail on placeholders left in the files (CHANGE-ME, registry.example.com);
            use it on your edited copy before deploying for real.
Exit status: 0 when every check passes, 1 on any mismatch, 2 when PyYAML is missing.
"""

import argparse
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("validate.py needs PyYAML: install it with `apt-get install python3-yaml` "
                     "(Debian/Ubuntu) or `pip install pyyaml`\n")
    sys.exit(2)

EXPECTED_ENTRY_CLASS = "dev.gradwatch.monitor.MonitorJob"
EXPECTED_TOPIC_REPLICAS = 3
EXPECTED_MIN_ISR = 2
STRIMZI_APIS = ("kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2")
FLINK_API = "flink.apache.org/v1beta1"
PLACEHOLDERS = ("CHANGE-ME", "registry.example.com")
CLUSTER_SCOPED_KINDS = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                        "StorageClass", "PersistentVolume", "PriorityClass"}
# Flink 1.x names that Flink 2.x no longer reads from config.yaml (it only knows the new keys).
LEGACY_FLINK_KEYS = {
    "state.backend": "state.backend.type",
    "state.checkpoints.dir": "execution.checkpointing.dir",
    "state.backend.fs.checkpointdir": "execution.checkpointing.dir",
    "state.savepoints.dir": "execution.checkpointing.savepoint-dir",
    "state.checkpoints.num-retained": "execution.checkpointing.num-retained",
    "state.backend.incremental": "execution.checkpointing.incremental",
    "state.checkpoint-storage": "execution.checkpointing.storage",
    "state.backend.local-recovery": "execution.checkpointing.local-backup.enabled",
    "restart-strategy": "restart-strategy.type",
    "high-availability": "high-availability.type",
    "execution.checkpointing.unaligned": "execution.checkpointing.unaligned.enabled",
    "execution.checkpointing.alignment-timeout": "execution.checkpointing.aligned-checkpoint-timeout",
}
REQUIRED_FLINK_KEYS = ("execution.checkpointing.interval", "execution.checkpointing.dir",
                       "execution.checkpointing.savepoint-dir", "state.backend.type",
                       "restart-strategy.type")
RESTART_STRATEGIES = {"none", "off", "disable", "fixed-delay", "fixeddelay", "failure-rate",
                      "failurerate", "exponential-delay", "exponentialdelay"}
STATE_BACKENDS = {"hashmap", "rocksdb", "forst"}
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


class Report:
    def __init__(self, strict):
        self.strict = strict
        self.errors = []
        self.warnings = []
        self.passed = []

    def error(self, msg):
        self.errors.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)

    def ok(self, msg):
        self.passed.append(msg)

    def placeholder(self, msg):
        (self.errors if self.strict else self.warnings).append(msg)


def rel(path, root):
    return os.path.relpath(path, root)


# ---------------------------------------------------------------------------------------------
# Reading the project: poms, Topics.java, the launcher command line, the Containerfiles
# ---------------------------------------------------------------------------------------------

def pom_text(elem, path):
    found = elem.find(path, POM_NS)
    return found.text.strip() if found is not None and found.text else None


def read_poms(root, rep):
    info = {}
    root_pom = os.path.join(root, "pom.xml")
    job_pom = os.path.join(root, "monitor-job", "pom.xml")
    try:
        r = ET.parse(root_pom).getroot()
        props = r.find("m:properties", POM_NS)
        if props is not None:
            for p in props:
                info["prop:" + p.tag.split("}")[-1]] = (p.text or "").strip()
        info["root_version"] = pom_text(r, "m:version")
    except (OSError, ET.ParseError) as e:
        rep.error(f"cannot read {rel(root_pom, root)}: {e}")
    try:
        j = ET.parse(job_pom).getroot()
    except (OSError, ET.ParseError) as e:
        rep.error(f"cannot read {rel(job_pom, root)}: {e}")
        return info
    artifact = pom_text(j, "m:artifactId")
    version = pom_text(j, "m:version") or pom_text(j, "m:parent/m:version")
    final_name = pom_text(j, "m:build/m:finalName")
    classifier = main_class = None
    attached = False
    for plugin in j.iterfind("m:build/m:plugins/m:plugin", POM_NS):
        if pom_text(plugin, "m:artifactId") != "maven-shade-plugin":
            continue
        for conf in plugin.iter("{%s}configuration" % POM_NS["m"]):
            classifier = pom_text(conf, "m:shadedClassifierName") or classifier
            attached = (pom_text(conf, "m:shadedArtifactAttached") or "false") == "true" or attached
            for tr in conf.iterfind("m:transformers/m:transformer", POM_NS):
                if tr.get("implementation", "").endswith("ManifestResourceTransformer"):
                    main_class = pom_text(tr, "m:mainClass") or main_class
    if not artifact or not version:
        rep.error(f"{rel(job_pom, root)}: cannot find artifactId and version")
        return info
    if final_name and "${" in final_name:
        final_name = final_name.replace("${project.artifactId}", artifact).replace("${project.version}", version)
    base = final_name or f"{artifact}-{version}"
    if classifier and attached:
        info["job_jar"] = f"{base}-{classifier}.jar"
    elif classifier or attached:
        rep.error(f"{rel(job_pom, root)}: the shade plugin needs both shadedArtifactAttached=true and a "
                  f"shadedClassifierName for a separate job jar (found classifier={classifier}, "
                  f"attached={attached})")
    else:
        rep.error(f"{rel(job_pom, root)}: no maven-shade-plugin with a shadedClassifierName found")
    info["job_main_class"] = main_class
    return info


def read_topics(root, rep):
    path = os.path.join(root, "events", "src", "main", "java", "dev", "gradwatch", "events", "Topics.java")
    try:
        src = open(path, encoding="utf-8").read()
    except OSError as e:
        rep.error(f"cannot read {rel(path, root)}: {e}")
        return {}
    topics = dict(re.findall(r'static\s+final\s+String\s+(\w+)\s*=\s*"([^"]+)"', src))
    if not topics:
        rep.error(f"{rel(path, root)}: no `static final String NAME = \"topic\"` constants found")
    return topics


def read_cli(root):
    """Subcommand name -> set of option names, from the picocli sources (None when absent)."""
    cli_dir = os.path.join(root, "launcher", "src", "main", "java", "dev", "gradwatch", "cli")
    files = sorted(glob.glob(os.path.join(cli_dir, "*.java")))
    if not files:
        return None
    commands = {}
    for f in files:
        src = open(f, encoding="utf-8").read()
        m = re.search(r'@Command\s*\(\s*name\s*=\s*"([^"]+)"', src)
        if not m:
            continue
        opts = set()
        for group in re.findall(r'names\s*=\s*(\{[^}]*\}|"[^"]*")', src):
            opts.update(re.findall(r'"([^"]+)"', group))
        if re.search(r"mixinStandardHelpOptions\s*=\s*true", src):
            opts.update({"--help", "-h", "--version", "-V"})
        commands[m.group(1)] = opts
    return commands


def read_scenarios(root):
    path = os.path.join(root, "launcher", "src", "main", "java", "dev", "gradwatch", "demo", "Scenario.java")
    try:
        src = open(path, encoding="utf-8").read()
    except OSError:
        return None
    body = re.search(r"enum\s+Scenario\s*\{(.*?);", src, re.S)
    if not body:
        return None
    return set(re.findall(r"\b([A-Z][A-Z0-9_]*)\s*\(", body.group(1)))


def read_monitor_keys(root):
    """MonitorJob's --key names with their defaults, from MonitorConfig.KEYS (None when absent)."""
    path = os.path.join(root, "monitor-job", "src", "main", "java", "dev", "gradwatch", "monitor", "MonitorConfig.java")
    try:
        src = open(path, encoding="utf-8").read()
    except OSError:
        return None
    # Only the static block that fills KEYS (later methods put the same keys with live values).
    block = re.search(r"static\s*\{(.*?)\bKEYS\s*=", src, re.S)
    keys = {}
    for key, value in re.findall(r'k\.put\(\s*"([^"]+)"\s*,\s*([^;]+?)\)\s*;', block.group(1) if block else src):
        m = re.fullmatch(r'"([^"]*)"', value.strip())
        keys.setdefault(key, m.group(1) if m else None)
    return keys or None


def flink_duration_ms(text):
    """Flink duration syntax (a number, optionally with ms, s, min, m, h or d) in milliseconds."""
    m = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*", str(text).lower())
    if not m:
        return None
    units = {"": 1, "ms": 1, "milli": 1, "millis": 1, "millisecond": 1, "milliseconds": 1,
             "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
             "m": 60000, "min": 60000, "mins": 60000, "minute": 60000, "minutes": 60000,
             "h": 3600000, "hour": 3600000, "hours": 3600000, "d": 86400000, "day": 86400000, "days": 86400000}
    return int(m.group(1)) * units[m.group(2)] if m.group(2) in units else None


def read_containerfile(path):
    """List of (instruction, argument string), continuation lines joined, comments dropped."""
    out, buf = [], ""
    for line in open(path, encoding="utf-8"):
        s = line.rstrip("\n")
        if not buf and s.lstrip().startswith("#"):
            continue
        if s.endswith("\\"):
            buf += s[:-1] + " "
            continue
        buf += s
        if buf.strip():
            parts = buf.strip().split(None, 1)
            out.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        buf = ""
    return out


def copy_pairs(instructions):
    pairs = []
    for ins, arg in instructions:
        if ins != "COPY":
            continue
        words = [w for w in arg.split() if not w.startswith("--")]
        if len(words) >= 2:
            for src in words[:-1]:
                pairs.append((src, words[-1]))
    return pairs


# ---------------------------------------------------------------------------------------------
# YAML documents
# ---------------------------------------------------------------------------------------------

def load_documents(root, rep):
    docs = []
    deploy = os.path.join(root, "deploy")
    files = sorted(glob.glob(os.path.join(deploy, "**", "*.yaml"), recursive=True)
                   + glob.glob(os.path.join(deploy, "**", "*.yml"), recursive=True))
    if not files:
        rep.error("no YAML files under deploy/")
    for f in files:
        try:
            with open(f, encoding="utf-8") as fh:
                loaded = list(yaml.safe_load_all(fh))
        except yaml.YAMLError as e:
            rep.error(f"{rel(f, root)}: YAML does not parse: {' '.join(str(e).split())}")
            continue
        n = 0
        for i, d in enumerate(loaded):
            if d is None:
                continue
            where = f"{rel(f, root)} document {i + 1}"
            if not isinstance(d, dict):
                rep.error(f"{where}: not a mapping")
                continue
            missing = [k for k in ("apiVersion", "kind") if not d.get(k)]
            name = (d.get("metadata") or {}).get("name")
            if missing or not name:
                rep.error(f"{where}: missing {', '.join(missing + ([] if name else ['metadata.name']))}")
                continue
            d["__where"] = f"{rel(f, root)} ({d['kind']} {name})"
            docs.append(d)
            n += 1
        rep.ok(f"{rel(f, root)}: {n} document(s) parse")
    return docs


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def ns_of(d):
    return (d.get("metadata") or {}).get("namespace")


def check_namespaces(docs, rep):
    namespaces = by_kind(docs, "Namespace")
    if len(namespaces) != 1:
        rep.error(f"expected exactly one Namespace, found {len(namespaces)}")
        return None
    ns = namespaces[0]["metadata"]["name"]
    bad = [d["__where"] for d in docs if d["kind"] not in CLUSTER_SCOPED_KINDS and ns_of(d) != ns]
    for w in bad:
        rep.error(f"{w}: metadata.namespace must be {ns!r} (the Namespace in deploy/k8s)")
    if not bad:
        rep.ok(f"every namespaced object is in namespace {ns!r}")
    return ns


def check_strings(d, path, value, rep, what):
    if not isinstance(value, str):
        rep.error(f"{d['__where']}: {path} must be a string ({what}), got {type(value).__name__} {value!r}")


# ---------------------------------------------------------------------------------------------
# Strimzi
# ---------------------------------------------------------------------------------------------

def check_kafka(docs, project, rep):
    strimzi = [d for d in docs if str(d["apiVersion"]).startswith("kafka.strimzi.io/")]
    apis = {d["apiVersion"] for d in strimzi}
    for d in strimzi:
        if d["apiVersion"] not in STRIMZI_APIS:
            rep.error(f"{d['__where']}: apiVersion {d['apiVersion']} is not one of {', '.join(STRIMZI_APIS)}")
    if len(apis) > 1:
        rep.error(f"Strimzi resources mix API versions {sorted(apis)}; use one")
    if "kafka.strimzi.io/v1beta2" in apis:
        rep.warn("kafka.strimzi.io/v1beta2 is removed in Strimzi 1.0; kafka.strimzi.io/v1 works from 0.49 on")

    errors_before = len(rep.errors)
    kafkas = by_kind(docs, "Kafka")
    if len(kafkas) != 1:
        rep.error(f"expected exactly one Strimzi Kafka resource, found {len(kafkas)}")
        return None
    k = kafkas[0]
    name, namespace = k["metadata"]["name"], ns_of(k)
    spec = k.get("spec") or {}
    kspec = spec.get("kafka") or {}
    if "zookeeper" in spec:
        rep.error(f"{k['__where']}: spec.zookeeper is set; Kafka 4 runs only in KRaft mode")
    version = str(kspec.get("version", ""))
    if not version.startswith("4."):
        rep.error(f"{k['__where']}: spec.kafka.version must be a Kafka 4.x version, got {version!r}")
    pom_kafka = project.get("prop:kafka.version")
    if pom_kafka and version and version != pom_kafka:
        rep.warn(f"{k['__where']}: broker version {version} differs from kafka.version {pom_kafka} in pom.xml")
    if not ((spec.get("entityOperator") or {}).get("topicOperator") is not None):
        rep.error(f"{k['__where']}: spec.entityOperator.topicOperator is missing, so KafkaTopic resources "
                  f"would be ignored")

    pools = [p for p in by_kind(docs, "KafkaNodePool")
             if ((p["metadata"].get("labels") or {}).get("strimzi.io/cluster") == name)]
    others = [p for p in by_kind(docs, "KafkaNodePool") if p not in pools]
    for p in others:
        rep.error(f"{p['__where']}: label strimzi.io/cluster must be {name!r} (the Kafka resource)")
    brokers = controllers = 0
    for p in pools:
        if ns_of(p) != namespace:
            rep.error(f"{p['__where']}: must be in the Kafka resource's namespace {namespace!r}")
        ps = p.get("spec") or {}
        roles = set(ps.get("roles") or [])
        replicas = ps.get("replicas") or 0
        if not roles or not roles <= {"broker", "controller"}:
            rep.error(f"{p['__where']}: spec.roles must be broker and/or controller, got {sorted(roles)}")
        if "broker" in roles:
            brokers += replicas
        if "controller" in roles:
            controllers += replicas
        if not ps.get("storage"):
            rep.error(f"{p['__where']}: spec.storage is missing")
        check_resources(p, "spec.resources", ps.get("resources"), rep)
    if not pools:
        rep.error(f"no KafkaNodePool labelled strimzi.io/cluster={name}")
    if brokers < EXPECTED_TOPIC_REPLICAS:
        rep.error(f"node pools of {name!r} give {brokers} broker(s); topics need {EXPECTED_TOPIC_REPLICAS}")
    if controllers < 3 or controllers % 2 == 0:
        rep.error(f"node pools of {name!r} give {controllers} KRaft controller(s); use an odd number, 3 or more")

    plain_ports, tls_ports = set(), set()
    for lst in kspec.get("listeners") or []:
        if lst.get("type") != "internal":
            continue
        (tls_ports if lst.get("tls") else plain_ports).add(int(lst.get("port")))
    if not plain_ports:
        rep.error(f"{k['__where']}: no internal listener with tls: false; the gradwatch launcher and the "
                  f"job take only a bootstrap address (no TLS settings)")
    if len(rep.errors) == errors_before:
        rep.ok(f"Kafka {name!r} in {namespace!r}: Kafka {version}, KRaft, {brokers} brokers, "
               f"{controllers} controllers, plain listener port(s) {sorted(plain_ports)}")
    return {"name": name, "namespace": namespace, "plain_ports": plain_ports, "tls_ports": tls_ports,
            "brokers": brokers}


def check_topics(docs, kafka, topic_constants, rep):
    if kafka is None:
        return
    errors_before = len(rep.errors)
    declared = {}
    for t in by_kind(docs, "KafkaTopic"):
        spec = t.get("spec") or {}
        topic = spec.get("topicName") or t["metadata"]["name"]
        where = t["__where"]
        if not DNS1123_SUBDOMAIN.match(t["metadata"]["name"]):
            rep.error(f"{where}: metadata.name is not a valid Kubernetes name; keep it and set spec.topicName")
        if (t["metadata"].get("labels") or {}).get("strimzi.io/cluster") != kafka["name"]:
            rep.error(f"{where}: label strimzi.io/cluster must be {kafka['name']!r}")
        if ns_of(t) != kafka["namespace"]:
            rep.error(f"{where}: must be in namespace {kafka['namespace']!r}, where the Topic Operator watches")
        if topic in declared:
            rep.error(f"{where}: topic {topic!r} is declared twice")
        declared[topic] = t
        replicas = spec.get("replicas")
        if replicas != EXPECTED_TOPIC_REPLICAS:
            rep.error(f"{where}: spec.replicas must be {EXPECTED_TOPIC_REPLICAS}, got {replicas!r}")
        elif replicas > kafka["brokers"]:
            rep.error(f"{where}: spec.replicas {replicas} exceeds the {kafka['brokers']} brokers")
        if not isinstance(spec.get("partitions"), int) or spec["partitions"] < 1:
            rep.error(f"{where}: spec.partitions must be a positive integer")
        config = spec.get("config") or {}
        try:
            isr = int(config.get("min.insync.replicas"))
        except (TypeError, ValueError):
            isr = None
        if isr != EXPECTED_MIN_ISR:
            rep.error(f"{where}: config min.insync.replicas must be {EXPECTED_MIN_ISR}, "
                      f"got {config.get('min.insync.replicas')!r}")
        try:
            t["__retention"] = int(config.get("retention.ms"))
        except (TypeError, ValueError):
            t["__retention"] = None
            rep.error(f"{where}: config retention.ms must be set to a number of milliseconds")

    for const, topic in sorted(topic_constants.items()):
        if topic not in declared:
            rep.error(f"topic {topic!r} (Topics.{const}) has no KafkaTopic in deploy/k8s")
    known = set(topic_constants.values())
    for topic, t in declared.items():
        if topic not in known:
            rep.warn(f"{t['__where']}: topic {topic!r} is not in Topics.java")

    dead = {topic for const, topic in topic_constants.items()
            if "DEAD_LETTER" in const or "DLQ" in const or topic.endswith("-dlq")}
    if not dead:
        rep.warn("no dead-letter topic recognised in Topics.java (constant *DEAD_LETTER* or name *-dlq)")
    for d_topic in dead:
        dt = declared.get(d_topic)
        if dt is None or dt.get("__retention") is None:
            continue
        for topic, t in declared.items():
            if topic in dead or t.get("__retention") is None:
                continue
            if dt["__retention"] <= t["__retention"]:
                rep.error(f"dead-letter topic {d_topic!r} keeps {dt['__retention']} ms, not longer than "
                          f"{topic!r} ({t['__retention']} ms)")
    if len(rep.errors) == errors_before:
        rep.ok(f"{len(topic_constants)} topics of Topics.java each have a KafkaTopic (replicas "
               f"{EXPECTED_TOPIC_REPLICAS}, min.insync.replicas {EXPECTED_MIN_ISR}, retention set, "
               f"dead-letter topic kept longest)")


# ---------------------------------------------------------------------------------------------
# Bootstrap addresses
# ---------------------------------------------------------------------------------------------

def check_bootstrap(value, consumer_ns, kafka, where, rep):
    if kafka is None:
        return
    svc = f"{kafka['name']}-kafka-bootstrap"
    kns = kafka["namespace"]
    allowed = {f"{svc}.{kns}", f"{svc}.{kns}.svc", f"{svc}.{kns}.svc.cluster.local"}
    if consumer_ns == kns:
        allowed.add(svc)
    ok = True
    for entry in str(value).split(","):
        entry = entry.strip()
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit():
            rep.error(f"{where}: bootstrap {entry!r} is not host:port")
            ok = False
            continue
        if host not in allowed:
            rep.error(f"{where}: bootstrap host {host!r} is not the Strimzi bootstrap Service of Kafka "
                      f"{kafka['name']!r} in namespace {kns!r} (expected one of {sorted(allowed)})")
            ok = False
        if int(port) not in kafka["plain_ports"]:
            hint = " (that is a TLS listener; the launcher has no TLS settings)" if int(port) in kafka["tls_ports"] else ""
            rep.error(f"{where}: bootstrap port {port} is not a plain internal listener port of Kafka "
                      f"{kafka['name']!r} {sorted(kafka['plain_ports'])}{hint}")
            ok = False
    return ok


def option_value(args, name):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


# ---------------------------------------------------------------------------------------------
# FlinkDeployment and the job image
# ---------------------------------------------------------------------------------------------

def check_flink(docs, project, kafka, root, rep):
    fds = by_kind(docs, "FlinkDeployment")
    if len(fds) != 1:
        rep.error(f"expected exactly one FlinkDeployment, found {len(fds)}")
        return None
    fd = fds[0]
    where = fd["__where"]
    errors_before = len(rep.errors)
    if fd["apiVersion"] != FLINK_API:
        rep.error(f"{where}: apiVersion must be {FLINK_API}, got {fd['apiVersion']}")
    spec = fd.get("spec") or {}
    job = spec.get("job") or {}

    flink_version = project.get("prop:flink.version")
    fv = str(spec.get("flinkVersion", ""))
    if flink_version:
        major_minor = "v" + "_".join(flink_version.split(".")[:2])
        if fv != major_minor:
            rep.error(f"{where}: flinkVersion {fv!r} does not match flink.version {flink_version} in pom.xml "
                      f"(expected {major_minor!r})")
    elif not re.match(r"^v2_\d+$", fv):
        rep.error(f"{where}: flinkVersion must be a Flink 2.x value like v2_2, got {fv!r}")
    if not spec.get("image"):
        rep.error(f"{where}: spec.image is missing")
    if not spec.get("serviceAccount"):
        rep.error(f"{where}: spec.serviceAccount is missing (the operator chart creates `flink`)")

    entry = job.get("entryClass")
    if entry != EXPECTED_ENTRY_CLASS:
        rep.error(f"{where}: job.entryClass must be {EXPECTED_ENTRY_CLASS}, got {entry!r}")
    main_class = project.get("job_main_class")
    if main_class and entry != main_class:
        rep.error(f"{where}: job.entryClass {entry!r} differs from the shade plugin's mainClass {main_class!r} "
                  f"in monitor-job/pom.xml")
    src = os.path.join(root, "monitor-job", "src", "main", "java", *EXPECTED_ENTRY_CLASS.split(".")) + ".java"
    if os.path.exists(src):
        if not re.search(r"public\s+static\s+void\s+main\s*\(", open(src, encoding="utf-8").read()):
            rep.error(f"{rel(src, root)} has no `public static void main`, so it cannot be the entry class")
    else:
        rep.warn(f"{rel(src, root)} does not exist (yet); entryClass checked against monitor-job/pom.xml only")

    jar_uri = str(job.get("jarURI", ""))
    expected_jar = project.get("job_jar")
    if not jar_uri.startswith("local:///opt/flink/usrlib/"):
        rep.error(f"{where}: job.jarURI must point into the image, local:///opt/flink/usrlib/..., got {jar_uri!r}")
    if expected_jar and os.path.basename(jar_uri) != expected_jar:
        rep.error(f"{where}: job.jarURI file {os.path.basename(jar_uri)!r} is not the shaded jar "
                  f"{expected_jar!r} built by monitor-job/pom.xml")
    if job.get("upgradeMode") != "savepoint":
        rep.error(f"{where}: job.upgradeMode must be savepoint, got {job.get('upgradeMode')!r}")
    if job.get("state", "running") != "running":
        rep.warn(f"{where}: job.state is {job.get('state')!r}")

    conf = spec.get("flinkConfiguration") or {}
    for key, value in conf.items():
        check_strings(fd, f"flinkConfiguration[{key}]", value, rep, "quote numbers and booleans")
        if key in LEGACY_FLINK_KEYS:
            rep.error(f"{where}: flinkConfiguration key {key!r} is a Flink 1.x name that Flink 2.x ignores; "
                      f"use {LEGACY_FLINK_KEYS[key]!r}")
    for key in REQUIRED_FLINK_KEYS:
        if not conf.get(key):
            rep.error(f"{where}: flinkConfiguration {key!r} is required")
    for key in ("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir"):
        value = str(conf.get(key) or "")
        if not value:
            continue
        if "://" not in value:
            rep.error(f"{where}: {key} {value!r} needs a URI scheme (s3://, gs://, hdfs://, ...)")
        elif value.startswith("file:"):
            rep.warn(f"{where}: {key} {value!r} is pod-local unless a shared volume is mounted there")
    if conf.get("high-availability.type") and not conf.get("high-availability.storageDir"):
        rep.error(f"{where}: high-availability.type is set without high-availability.storageDir")
    if conf.get("restart-strategy.type") and str(conf["restart-strategy.type"]).lower() not in RESTART_STRATEGIES:
        rep.error(f"{where}: restart-strategy.type {conf['restart-strategy.type']!r} is not a Flink restart strategy")
    sb = str(conf.get("state.backend.type", ""))
    if sb and sb.lower() not in STATE_BACKENDS and "." not in sb:
        rep.error(f"{where}: state.backend.type {sb!r} is not hashmap, rocksdb, forst or a factory class")

    for part in ("jobManager", "taskManager"):
        res = (spec.get(part) or {}).get("resource") or {}
        if not res.get("cpu") or not res.get("memory"):
            rep.error(f"{where}: spec.{part}.resource needs cpu and memory")

    args = [str(a) for a in job.get("args") or []]
    keys = read_monitor_keys(root)
    if keys is None:
        rep.warn("monitor-job/.../MonitorConfig.java not found: job argument names not checked")
        boot_flag = "--bootstrap.servers"
    else:
        boot_keys = [k for k in keys if "bootstrap" in k]
        boot_flag = "--" + (boot_keys[0] if boot_keys else "bootstrap.servers")
        for a in args:
            if a.startswith("--"):
                key = a[2:].split("=", 1)[0]
                if key not in keys and key not in ("config", "help"):
                    rep.error(f"{where}: job.args key --{key} is not a MonitorConfig key; MonitorJob would "
                              f"stop with 'unknown key' (keys: {', '.join(keys)})")
        if "checkpoint.interval.ms" in keys:
            given = option_value(args, "--checkpoint.interval.ms")
            job_ms = int(given if given is not None else (keys["checkpoint.interval.ms"] or "0"))
            conf_ms = flink_duration_ms(conf.get("execution.checkpointing.interval", ""))
            if job_ms > 0 and conf_ms is not None and job_ms != conf_ms:
                source = "--checkpoint.interval.ms" if given is not None else "its default checkpoint.interval.ms"
                rep.error(f"{where}: MonitorJob enables checkpointing every {job_ms} ms ({source}), which "
                          f"overrides execution.checkpointing.interval "
                          f"{conf.get('execution.checkpointing.interval')!r}; pass --checkpoint.interval.ms {conf_ms}")
    boot = option_value(args, boot_flag)
    if boot is None:
        rep.error(f"{where}: job.args has no {boot_flag} <servers>")
    else:
        check_bootstrap(boot, ns_of(fd), kafka, f"{where} job.args", rep)

    if len(rep.errors) == errors_before:
        rep.ok(f"FlinkDeployment: entryClass {entry}, jar {os.path.basename(jar_uri)}, flinkVersion {fv}, "
               f"upgradeMode savepoint, Flink 2.x checkpoint/restart keys, bootstrap {boot}")
    return {"image": spec.get("image"), "jar_path": jar_uri[len("local://"):], "doc": fd}


def check_job_containerfile(root, project, flink, rep):
    path = os.path.join(root, "deploy", "container", "Containerfile.monitor-job")
    if not os.path.exists(path):
        rep.error(f"{rel(path, root)} is missing")
        return
    errors_before = len(rep.errors)
    ins = read_containerfile(path)
    froms = [a for i, a in ins if i == "FROM"]
    flink_version = project.get("prop:flink.version")
    if not froms or not froms[0].startswith("flink:"):
        rep.error(f"{rel(path, root)}: must start FROM the official flink image")
    elif flink_version and not froms[0].split()[0].startswith(f"flink:{flink_version}-java17"):
        rep.error(f"{rel(path, root)}: FROM {froms[0]} does not match flink.version {flink_version} "
                  f"(expected flink:{flink_version}-java17)")
    expected_src = f"monitor-job/target/{project.get('job_jar')}"
    pairs = copy_pairs(ins)
    if project.get("job_jar") and not any(s == expected_src for s, _ in pairs):
        rep.error(f"{rel(path, root)}: no COPY of {expected_src}")
    if flink:
        dests = [dst for s, dst in pairs if s == expected_src]
        if dests and not any(dst == flink["jar_path"] or (dst.endswith("/") and dst + os.path.basename(expected_src) == flink["jar_path"]) for dst in dests):
            rep.error(f"{rel(path, root)}: copies the jar to {dests}, but the FlinkDeployment runs {flink['jar_path']}")
    if len(rep.errors) == errors_before:
        rep.ok(f"{rel(path, root)}: FROM {froms[0]}, copies {expected_src} to the jarURI path")


# ---------------------------------------------------------------------------------------------
# Deployments running the launcher, and the launcher image
# ---------------------------------------------------------------------------------------------

def check_resources(d, path, res, rep):
    res = res or {}
    for part in ("requests", "limits"):
        got = res.get(part) or {}
        for r in ("cpu", "memory"):
            if not got.get(r):
                rep.error(f"{d['__where']}: {path}.{part}.{r} is missing")


def check_deployments(docs, kafka, cli, scenarios, flink, root, rep):
    deployments = by_kind(docs, "Deployment")
    if not deployments:
        rep.error("no Deployment found (expected the alert router and the example trainer)")
    if cli is None:
        rep.warn("launcher/src/main/java/dev/gradwatch/cli not found: subcommands and options not checked")
    known_subcommands = set(cli) if cli else {"demo", "worker", "monitor", "alerts"}
    launcher_images = set()
    uids = set()
    for d in deployments:
        errors_before = len(rep.errors)
        pod = ((d.get("spec") or {}).get("template") or {}).get("spec") or {}
        sel = (((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {})
        labels = ((((d.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {})
        if not sel or any(labels.get(k) != v for k, v in sel.items()):
            rep.error(f"{d['__where']}: spec.selector.matchLabels must match the pod template labels")
        uid = (pod.get("securityContext") or {}).get("runAsUser")
        used = []
        for c in pod.get("containers") or []:
            cw = f"{d['__where']} container {c.get('name')}"
            check_resources(d, f"container {c.get('name')} resources", c.get("resources"), rep)
            env_names = set()
            for e in c.get("env") or []:
                env_names.add(e.get("name"))
                if "value" in e:
                    check_strings(d, f"container {c.get('name')} env {e.get('name')}", e["value"], rep, "env value")
            args = c.get("args") or []
            for i, a in enumerate(args):
                check_strings(d, f"container {c.get('name')} args[{i}]", a, rep, "quote numbers")
                for ref in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", str(a)):
                    if ref not in env_names:
                        rep.error(f"{cw}: args refer to $({ref}) but the container has no env {ref}")
            args = [str(a) for a in args]
            if not args or args[0] not in known_subcommands:
                continue
            used.append(args[0])
            launcher_images.add(c.get("image"))
            if uid is not None:
                uids.add(uid)
            if cli:
                opts = cli.get(args[0], set())
                for a in args[1:]:
                    if a.startswith("-") and not a.lstrip("-").isdigit():
                        name = a.split("=", 1)[0]
                        if name not in opts:
                            rep.error(f"{cw}: `gradwatch {args[0]}` has no option {name} "
                                      f"(it has {', '.join(sorted(o for o in opts if o.startswith('--')))})")
            boot = option_value(args, "--bootstrap")
            if boot is None:
                rep.error(f"{cw}: `gradwatch {args[0]}` without --bootstrap")
            else:
                check_bootstrap(boot, ns_of(d), kafka, cw, rep)
            scenario = option_value(args, "--scenario")
            if scenario is not None and scenarios is not None and scenario not in scenarios:
                rep.error(f"{cw}: --scenario {scenario!r} is not a constant of dev.gradwatch.demo.Scenario "
                          f"({', '.join(sorted(scenarios))}); picocli matches enum names exactly")
        if not used:
            rep.warn(f"{d['__where']}: no container runs a gradwatch subcommand")
        elif len(rep.errors) == errors_before:
            rep.ok(f"{d['__where']}: gradwatch {', '.join(used)} with the Strimzi bootstrap address, "
                   f"requests and limits set")
    if len(launcher_images) > 1:
        rep.error(f"the launcher Deployments use different images {sorted(launcher_images)}; build one")
    if flink and flink.get("image") in launcher_images:
        rep.error("the FlinkDeployment and the launcher Deployments use the same image; the job needs the "
                  "Flink image built from Containerfile.monitor-job")
    return {"uids": uids}


def check_launcher_containerfile(root, deployments_info, rep):
    path = os.path.join(root, "deploy", "container", "Containerfile.launcher")
    script = os.path.join(root, "deploy", "container", "stage-launcher.sh")
    if not os.path.exists(path):
        rep.error(f"{rel(path, root)} is missing")
        return
    errors_before = len(rep.errors)
    ins = read_containerfile(path)
    froms = [a for i, a in ins if i == "FROM"]
    if not froms or not froms[0].startswith("eclipse-temurin:17"):
        rep.error(f"{rel(path, root)}: must be FROM eclipse-temurin:17-jre (the project targets Java 17)")
    pairs = copy_pairs(ins)
    staged = [(s, dst) for s, dst in pairs if s.rstrip("/") == "launcher/target/container-lib"]
    if not staged:
        rep.error(f"{rel(path, root)}: no COPY of launcher/target/container-lib/")
    try:
        script_src = open(script, encoding="utf-8").read()
        if 'out="$target/container-lib"' not in script_src or "classpath.txt" not in script_src:
            rep.error(f"{rel(script, root)} does not stage into launcher/target/container-lib with a classpath.txt")
    except OSError:
        rep.error(f"{rel(script, root)} is missing")
    entry = [a for i, a in ins if i == "ENTRYPOINT"]
    ep_copies = [dst for s, dst in pairs if s == "deploy/container/gradwatch-entrypoint.sh"]
    if not entry or not ep_copies or ep_copies[0] not in entry[-1]:
        rep.error(f"{rel(path, root)}: ENTRYPOINT must be where gradwatch-entrypoint.sh is copied ({ep_copies})")
    if staged and not os.path.exists(os.path.join(root, "deploy", "container", "gradwatch-entrypoint.sh")):
        rep.error("deploy/container/gradwatch-entrypoint.sh is missing")
    elif staged:
        lib_dir = staged[0][1].rstrip("/")
        ep_src = open(os.path.join(root, "deploy", "container", "gradwatch-entrypoint.sh"), encoding="utf-8").read()
        if f"lib={lib_dir}" not in ep_src:
            rep.error(f"gradwatch-entrypoint.sh does not read the jars from {lib_dir}, where the image puts them")
    users = [a.split(":")[0] for i, a in ins if i == "USER"]
    for uid in deployments_info.get("uids", set()):
        if users and str(uid) != users[-1]:
            rep.error(f"Deployments run as uid {uid} but {rel(path, root)} has USER {users[-1]}")
    if len(rep.errors) == errors_before:
        rep.ok(f"{rel(path, root)}: FROM {froms[0]}, staged jars from stage-launcher.sh, entry point in place")


def check_placeholders(root, rep):
    for f in sorted(glob.glob(os.path.join(root, "deploy", "**", "*"), recursive=True)):
        if os.path.isdir(f) or f.endswith((".md", ".py")):
            continue
        try:
            text = open(f, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        for ph in PLACEHOLDERS:
            n = sum(1 for line in text.splitlines() if ph in line and not line.lstrip().startswith("#"))
            if n:
                rep.placeholder(f"{rel(f, root)}: {n} line(s) still contain the placeholder {ph!r}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(here), help="repository root (default: parent of deploy/)")
    ap.add_argument("--strict", action="store_true", help="fail on placeholders left in the files")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    rep = Report(a.strict)

    project = read_poms(root, rep)
    topics = read_topics(root, rep)
    cli = read_cli(root)
    scenarios = read_scenarios(root)
    docs = load_documents(root, rep)
    check_namespaces(docs, rep)
    kafka = check_kafka(docs, project, rep)
    check_topics(docs, kafka, topics, rep)
    flink = check_flink(docs, project, kafka, root, rep)
    check_job_containerfile(root, project, flink, rep)
    dep = check_deployments(docs, kafka, cli, scenarios, flink, root, rep)
    check_launcher_containerfile(root, dep, rep)
    check_placeholders(root, rep)

    for m in rep.passed:
        print(f"ok       {m}")
    for m in rep.warnings:
        print(f"WARNING  {m}")
    for m in rep.errors:
        print(f"ERROR    {m}")
    if rep.errors:
        print(f"\nFAILED: {len(rep.errors)} error(s), {len(rep.warnings)} warning(s)")
        return 1
    print(f"\nPASSED: {len(rep.passed)} check group(s), {len(rep.warnings)} warning(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
