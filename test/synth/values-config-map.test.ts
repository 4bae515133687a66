import { describe, expect, it } from "vitest";
import { ValuesConfigMap, WATCH_LABEL } from "../../synth/values-config-map.js";
import { expectValidChildren, renderOne } from "./support.js";

describe("ValuesConfigMap", () => {
  const values = { service: { type: "ClusterIP", port: 80 }, enabled: "yes", mode: "0755", list: [2, 1] };

  it("holds the values under values.yaml, labelled for helm-controller's watch", () => {
    const child = renderOne(
      (chart) =>
        new ValuesConfigMap(chart, "cm", { name: "web-server-defaults", labels: { a: "b" }, values }),
    );
    expectValidChildren([child]);
    expect(child.metadata.labels).toEqual({ a: "b", ...WATCH_LABEL });
    expect(child).toMatchSnapshot();
  });

  it("writes JSON with sorted keys, so strings such as yes and 0755 stay strings for YAML 1.1 readers", () => {
    const child = renderOne((chart) => new ValuesConfigMap(chart, "cm", { name: "cm", values }));
    const text = (child.data as Record<string, string>)["values.yaml"]!;
    expect(JSON.parse(text)).toEqual(values);
    expect(text.indexOf('"enabled"')).toBeLessThan(text.indexOf('"service"'));
    expect(text).toContain('"mode": "0755"');
  });

  it("keeps a null, which removes the chart's key in Helm, inside the values text only", () => {
    const child = renderOne(
      (chart) => new ValuesConfigMap(chart, "cm", { name: "cm", values: { drop: null } }),
    );
    expectValidChildren([child]);
    expect(JSON.parse((child.data as Record<string, string>)["values.yaml"]!)).toEqual({ drop: null });
  });
});
