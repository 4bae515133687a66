import { Duration, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { CONTAINER_PORT, IMAGE, PART_OF, RUN_AS_USER, SERVICE_PORT } from "./settings.js";

/**
 * Which half of the hook server a Deployment runs (`PCTL_ROLE`): the stateless subscription hooks,
 * or the catalog hooks plus the catalog API, whose index lives in memory.
 */
export type HookServerRole = "subscription" | "catalog";

/** `LOG_LEVEL` values the server accepts (API.md, "Configuration"). */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where the server keeps git work; HOME and TMPDIR point here because the root filesystem is read-only. */
export const SCRATCH_DIR = "/var/lib/pctl";

/** Props of {@link HookServer}. */
export interface HookServerProps {
  /** The role this Deployment serves, passed as `PCTL_ROLE`. */
  readonly role: HookServerRole;
  /** Name of the Deployment and of its Service. */
  readonly name: string;
  /** The account the pods run as. It should not mount a token: the server never calls the API server. */
  readonly serviceAccount: kplus.IServiceAccount;
  /** Who may open connections to port 8080 (hooks, API, probes are all served there). */
  readonly allowFrom: kplus.INetworkPolicyPeer;
  /**
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Adds a PodDisruptionBudget keeping one pod up during voluntary disruptions (node drains).
   *
   * @default - true when `replicas` is above 1; a budget on a single replica would block drains
   */
  readonly disruptionBudget?: boolean;
  /**
   * @default - requests 100m CPU / 128Mi memory, limits 1 CPU / 512Mi memory
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Size limit of the scratch `emptyDir` (git clones, temporary files).
   *
   * @default Size.gibibytes(1)
   */
  readonly scratchSize?: Size;
  /**
   * @default "info"
   */
  readonly logLevel?: LogLevel;
}

/**
 * One role of the pctl hook server: a Deployment of {@link IMAGE}, its Service, its
 * NetworkPolicy and, with more than one replica, a PodDisruptionBudget.
 *
 * Keeps cdk8s-plus's safe defaults (non-root, read-only root filesystem, no privilege escalation)
 * and adds what the server needs to run under them: a scratch `emptyDir` with HOME/TMPDIR in it,
 * a fixed non-root uid ({@link RUN_AS_USER}), and all capabilities dropped.
 */
export class HookServer extends Construct {
  /** The Deployment running this role. */
  readonly deployment: kplus.Deployment;
  /** The Service Metacontroller (and, for the catalog, API clients) call. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: HookServerProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new Error(`'replicas' (${replicas}) must be a positive integer`);
    }
    const disruptionBudget = props.disruptionBudget ?? replicas > 1;
    if (disruptionBudget && replicas < 2) {
      throw new Error(
        `'disruptionBudget' needs 'replicas' of 2 or more (got ${replicas}): a budget of one pod on one replica blocks node drains`,
      );
    }
    const labels = {
      ...PART_OF,
      "app.kubernetes.io/name": "pctl",
      "app.kubernetes.io/component": props.role,
    };
    // Select on these labels rather than cdk8s's construct-path label, so the selectors read plainly
    // and survive a refactor of the construct tree.
    const pods = kplus.Pods.select(this, "Pods", { labels });

    this.deployment = new kplus.Deployment(this, "Deployment", {
      metadata: { name: props.name, labels },
      podMetadata: { labels },
      select: false,
      replicas,
      serviceAccount: props.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: RUN_AS_USER, group: RUN_AS_USER },
      containers: [
        {
          name: "server",
          image: IMAGE,
          // The tag is a release version and never moves.
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          portNumber: CONTAINER_PORT,
          envVariables: {
            PORT: kplus.EnvValue.fromValue(String(CONTAINER_PORT)),
            PCTL_ROLE: kplus.EnvValue.fromValue(props.role),
            LOG_LEVEL: kplus.EnvValue.fromValue(props.logLevel ?? "info"),
            HOME: kplus.EnvValue.fromValue(SCRATCH_DIR),
            TMPDIR: kplus.EnvValue.fromValue(SCRATCH_DIR),
          },
          liveness: kplus.Probe.fromHttpGet("/healthz", {
            port: CONTAINER_PORT,
            periodSeconds: Duration.seconds(10),
            failureThreshold: 3,
          }),
          readiness: kplus.Probe.fromHttpGet("/readyz", {
            port: CONTAINER_PORT,
            periodSeconds: Duration.seconds(5),
            failureThreshold: 2,
          }),
          resources: props.resources ?? {
            cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
          },
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          volumeMounts: [
            {
              path: SCRATCH_DIR,
              volume: kplus.Volume.fromEmptyDir(this, "Scratch", "scratch", {
                sizeLimit: props.scratchSize ?? Size.gibibytes(1),
              }),
            },
          ],
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels }));

    this.service = new kplus.Service(this, "Service", {
      metadata: { name: props.name, labels },
      selector: pods,
      ports: [{ name: "http", port: SERVICE_PORT, targetPort: CONTAINER_PORT }],
    });

    const policy = new kplus.NetworkPolicy(this, "NetworkPolicy", {
      metadata: { name: props.name, labels },
      selector: pods,
      ingress: {
        default: kplus.NetworkPolicyTrafficDefault.DENY,
        rules: [{ peer: props.allowFrom, ports: [kplus.NetworkPolicyPort.tcp(CONTAINER_PORT)] }],
      },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    // Git hosts and DNS servers can be anywhere, so egress is limited by port, not by peer. Pods are
    // listed besides the IP blocks because CNIs differ on whether an ipBlock matches pod IPs.
    const everywhere = [
      kplus.Pods.all(this, "AllPods", { namespaces: kplus.Namespaces.all(this, "AllNamespaces") }),
      kplus.NetworkPolicyIpBlock.anyIpv4(this, "AnyIpv4"),
      kplus.NetworkPolicyIpBlock.anyIpv6(this, "AnyIpv6"),
    ];
    for (const peer of everywhere) {
      policy.addEgressRule(peer, [
        kplus.NetworkPolicyPort.udp(53),
        kplus.NetworkPolicyPort.tcp(53),
        kplus.NetworkPolicyPort.tcp(443),
        kplus.NetworkPolicyPort.tcp(80),
      ]);
    }

    if (disruptionBudget) {
      new kplus.k8s.KubePodDisruptionBudget(this, "DisruptionBudget", {
        metadata: { name: props.name, labels },
        spec: {
          minAvailable: kplus.k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: labels },
        },
      });
    }
  }
}
