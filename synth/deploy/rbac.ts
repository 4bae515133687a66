import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import { PART_OF, PROFILES_GROUP } from "./settings.js";

/** The pctl resources a user can be granted, by their plural resource name. */
const SUBSCRIPTIONS = "profilesubscriptions";
const CATALOGS = "profilecatalogsources";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete", "deletecollection"];

/**
 * One ClusterRole aggregated into Kubernetes' built-in user-facing roles, so that access to pctl's
 * resources is granted and revoked with the RoleBindings a cluster already has.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles
 */
interface AggregatedRole {
  readonly name: string;
  /** The built-in roles (`view`, `edit`, `admin`) this one is folded into. */
  readonly aggregateTo: readonly ("view" | "edit" | "admin")[];
  readonly rules: readonly { readonly resources: readonly string[]; readonly verbs: readonly string[] }[];
}

/**
 * Who may do what with pctl's resources:
 * - `pctl-view` (in `view`, `edit`, `admin`): read subscriptions and catalogs, status included;
 * - `pctl-subscription-editor` (in `edit`, `admin`): install, change and remove profiles in a
 *   namespace by writing ProfileSubscriptions;
 * - `pctl-catalog-editor` (in `admin` only): approve profiles by writing ProfileCatalogSources, so
 *   a namespace's editors can install from catalogs but not change what they list. A platform team
 *   grants it elsewhere with a RoleBinding and revokes it by deleting that binding.
 * Status stays read-only for everyone: only Metacontroller writes it.
 */
export const AGGREGATED_ROLES: readonly AggregatedRole[] = [
  {
    name: "pctl-view",
    aggregateTo: ["view", "edit", "admin"],
    rules: [
      { resources: [SUBSCRIPTIONS, `${SUBSCRIPTIONS}/status`, CATALOGS, `${CATALOGS}/status`], verbs: READ },
    ],
  },
  {
    name: "pctl-subscription-editor",
    aggregateTo: ["edit", "admin"],
    rules: [{ resources: [SUBSCRIPTIONS], verbs: WRITE }],
  },
  {
    name: "pctl-catalog-editor",
    aggregateTo: ["admin"],
    rules: [{ resources: [CATALOGS], verbs: WRITE }],
  },
];

/** The aggregated ClusterRoles of {@link AGGREGATED_ROLES}. */
export class UserRoles extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const role of AGGREGATED_ROLES) {
      new ApiObject(this, role.name, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: {
          name: role.name,
          labels: {
            ...PART_OF,
            ...Object.fromEntries(
              role.aggregateTo.map((builtIn) => [
                `rbac.authorization.k8s.io/aggregate-to-${builtIn}`,
                "true",
              ]),
            ),
          },
        },
        rules: role.rules.map(({ resources, verbs }) => ({
          apiGroups: [PROFILES_GROUP],
          resources: [...resources],
          verbs: [...verbs],
        })),
      });
    }
  }
}
