package dev.keepwarm.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/prometheus/alerts.yml: the five alerts on keepwarm's metrics, valid for
 * Prometheus, and firing when due.
 */
class AlertsTest {

    private static final String ALERTS = "deploy/prometheus/alerts.yml";

    private static Map<String, Map<String, Object>> rulesByAlert() {
        Map<String, Map<String, Object>> rules = new LinkedHashMap<>();
        for (Object group : list(ProjectFiles.yaml(ALERTS).get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                rules.put((String) map(rule).get("alert"), map(rule));
            }
        }
        return rules;
    }

    @Test
    void hasTheFiveAlertsOnKeepwarmsMetrics() {
        Map<String, Map<String, Object>> rules = rulesByAlert();

        assertThat(rules).containsOnlyKeys("KeepwarmWarmModelNotResident", "KeepwarmPinnedModelColdStart",
                "KeepwarmModelThrashing", "KeepwarmUpstreamDown", "KeepwarmOllamaLoadsStalled");
        assertThat(rules.get("KeepwarmWarmModelNotResident"))
            .containsEntry("expr",
                    "max by (model) (keepwarm_model_warm_wanted) == 1"
                            + " and max by (model) (keepwarm_model_resident) == 0")
            .containsEntry("for", "1m");
        assertThat(rules.get("KeepwarmPinnedModelColdStart")).containsEntry("expr",
                "increase(keepwarm_cold_starts_total{pinned=\"true\"}[10m]) > 0");
        assertThat(rules.get("KeepwarmModelThrashing")).containsEntry("expr", "keepwarm_model_thrashing == 1");
        assertThat(rules.get("KeepwarmUpstreamDown")).containsEntry("expr", "keepwarm_upstream_up == 0")
            .containsEntry("for", "1m");
        rules.values().forEach(rule -> {
            assertThat(map(rule.get("labels"))).containsKey("severity");
            assertThat(map(rule.get("annotations"))).containsKeys("summary", "description");
        });
    }

    @Test
    void theHelmChartShipsTheSameFile() {
        assertThat(ProjectFiles.read("helm/keepwarm/files/alerts.yml")).isEqualTo(ProjectFiles.read(ALERTS));
    }

    @Test
    void promtoolAcceptsTheRulesAndTheScrapeConfig() {
        Path promtool = Tools.require("promtool", "prometheus");

        Tools.Run rules = Tools.run(ProjectFiles.ROOT, List.of(promtool.toString(), "check", "rules", ALERTS));
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        assertThat(rules.output()).contains("SUCCESS: 5 rules found");

        Tools.Run config = Tools.run(ProjectFiles.ROOT,
                List.of(promtool.toString(), "check", "config", "deploy/prometheus/prometheus.yml"));
        assertThat(config.exitCode()).as(config.output()).isZero();
    }

    /**
     * promtool's rule unit test on synthetic series (one sample every 15 s): each alert
     * fires when due, with its labels, and not for the healthy series beside it.
     */
    @Test
    void alertsFireWhenDue(@TempDir Path dir) throws IOException {
        assertPromtoolPasses(dir,
                """
                            input_series:
                              - series: 'keepwarm_model_warm_wanted{model="llama3.2:1b"}'
                                values: '1x12'
                              - series: 'keepwarm_model_resident{model="llama3.2:1b"}'
                                values: '1 1 0x10'
                              - series: 'keepwarm_model_warm_wanted{model="qwen3:4b"}'
                                values: '1x12'
                              - series: 'keepwarm_model_resident{model="qwen3:4b"}'
                                values: '1x12'
                              - series: 'keepwarm_cold_starts_total{model="llama3.2:1b",pinned="true"}'
                                values: '0 0 1x10'
                              - series: 'keepwarm_cold_starts_total{model="other",pinned="false"}'
                                values: '0 3 6x10'
                              - series: 'keepwarm_model_thrashing{model="llama3.2:1b"}'
                                values: '0 0 1x10'
                              - series: 'keepwarm_model_thrashing{model="qwen3:4b"}'
                                values: '0x12'
                              - series: 'keepwarm_upstream_up{instance="keepwarm:8081",job="keepwarm"}'
                                values: '1 0x11'
                            alert_rule_test:
                              # resident 0 since 30s: pending for a minute, firing from 90s
                              - eval_time: 75s
                                alertname: KeepwarmWarmModelNotResident
                                exp_alerts: []
                              - eval_time: 105s
                                alertname: KeepwarmWarmModelNotResident
                                exp_alerts:
                                  - exp_labels: {model: "llama3.2:1b", severity: warning}
                                    exp_annotations: %s
                              - eval_time: 15s
                                alertname: KeepwarmPinnedModelColdStart
                                exp_alerts: []
                              - eval_time: 60s
                                alertname: KeepwarmPinnedModelColdStart
                                exp_alerts:
                                  - exp_labels: {model: "llama3.2:1b", pinned: "true", severity: warning}
                                    exp_annotations: %s
                              - eval_time: 60s
                                alertname: KeepwarmModelThrashing
                                exp_alerts:
                                  - exp_labels: {model: "llama3.2:1b", severity: warning}
                                    exp_annotations: %s
                              - eval_time: 60s
                                alertname: KeepwarmUpstreamDown
                                exp_alerts: []
                              - eval_time: 90s
                                alertname: KeepwarmUpstreamDown
                                exp_alerts:
                                  - exp_labels: {instance: "keepwarm:8081", job: keepwarm, severity: critical}
                                    exp_annotations: %s
                        """.formatted(annotations("KeepwarmWarmModelNotResident", "llama3.2:1b", null),
                        annotations("KeepwarmPinnedModelColdStart", "llama3.2:1b", null),
                        annotations("KeepwarmModelThrashing", "llama3.2:1b", null),
                        annotations("KeepwarmUpstreamDown", null, "keepwarm:8081")));
    }

    /**
     * The residency alert asks whether the model is wanted warm now, across replicas: a
     * scheduled model whose window ended (wanted 1 -> 0) and a model whose rule a reload
     * dropped (its series go stale) do not fire, nor a model one of two replicas sees
     * resident; a model wanted on both replicas and resident on neither fires once, by
     * model.
     */
    @Test
    void warmModelAlertFollowsSchedulesReloadsAndReplicas(@TempDir Path dir) throws IOException {
        assertPromtoolPasses(dir, """
                    input_series:
                      # window ends at 75s; Ollama unloaded it at 30s (off-hours keep-alive)
                      - series: 'keepwarm_model_warm_wanted{model="office:latest",instance="a"}'
                        values: '1x4 0x16'
                      - series: 'keepwarm_model_resident{model="office:latest",instance="a"}'
                        values: '1 1 0x18'
                      # a reload dropped the rule at 45s: keepwarm removed both gauges
                      - series: 'keepwarm_model_warm_wanted{model="dropped:latest",instance="a"}'
                        values: '1 1 1 stale'
                      - series: 'keepwarm_model_resident{model="dropped:latest",instance="a"}'
                        values: '1 1 0 stale'
                      # replica b sees it resident
                      - series: 'keepwarm_model_warm_wanted{model="shared:latest",instance="a"}'
                        values: '1x20'
                      - series: 'keepwarm_model_resident{model="shared:latest",instance="a"}'
                        values: '0x20'
                      - series: 'keepwarm_model_warm_wanted{model="shared:latest",instance="b"}'
                        values: '1x20'
                      - series: 'keepwarm_model_resident{model="shared:latest",instance="b"}'
                        values: '1x20'
                      # wanted on both replicas, resident on neither
                      - series: 'keepwarm_model_warm_wanted{model="lost:latest",instance="a"}'
                        values: '1x20'
                      - series: 'keepwarm_model_resident{model="lost:latest",instance="a"}'
                        values: '0x20'
                      - series: 'keepwarm_model_warm_wanted{model="lost:latest",instance="b"}'
                        values: '1x20'
                      - series: 'keepwarm_model_resident{model="lost:latest",instance="b"}'
                        values: '0x20'
                    alert_rule_test:
                      - eval_time: 45s
                        alertname: KeepwarmWarmModelNotResident
                        exp_alerts: []
                      - eval_time: 105s
                        alertname: KeepwarmWarmModelNotResident
                        exp_alerts:
                          - exp_labels: {model: "lost:latest", severity: warning}
                            exp_annotations: %s
                      - eval_time: 270s
                        alertname: KeepwarmWarmModelNotResident
                        exp_alerts:
                          - exp_labels: {model: "lost:latest", severity: warning}
                            exp_annotations: %s
                """.formatted(annotations("KeepwarmWarmModelNotResident", "lost:latest", null),
                annotations("KeepwarmWarmModelNotResident", "lost:latest", null)));
    }

    /**
     * A stall seen by one of two replicas fires once, after a minute; a stall that ends
     * before does not.
     */
    @Test
    void stalledLoadsFireOnceAcrossReplicas(@TempDir Path dir) throws IOException {
        assertPromtoolPasses(dir, """
                    input_series:
                      - series: 'keepwarm_ollama_loads_stalled{instance="keepwarm-a:8081",job="keepwarm"}'
                        values: '0 1x11'
                      - series: 'keepwarm_ollama_loads_stalled{instance="keepwarm-b:8081",job="keepwarm"}'
                        values: '0x12'
                    alert_rule_test:
                      - eval_time: 60s
                        alertname: KeepwarmOllamaLoadsStalled
                        exp_alerts: []
                      - eval_time: 90s
                        alertname: KeepwarmOllamaLoadsStalled
                        exp_alerts:
                          - exp_labels: {job: keepwarm, severity: critical}
                            exp_annotations: %s
                  - interval: 15s
                    input_series:
                      - series: 'keepwarm_ollama_loads_stalled{instance="keepwarm-a:8081",job="keepwarm"}'
                        values: '0 1 1 1 0x9'
                    alert_rule_test:
                      - eval_time: 120s
                        alertname: KeepwarmOllamaLoadsStalled
                        exp_alerts: []
                """.formatted(annotations("KeepwarmOllamaLoadsStalled", null, null)));
    }

    /**
     * Runs promtool's rule unit test on alerts.yml, sampled and evaluated every 15 s,
     * with these series and cases.
     */
    private static void assertPromtoolPasses(Path dir, String seriesAndCases) throws IOException {
        Path promtool = Tools.require("promtool", "prometheus");
        Path test = dir.resolve("alerts-test.yml");
        Files.writeString(test, """
                rule_files:
                  - %s
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                """.formatted(ProjectFiles.path(ALERTS)) + seriesAndCases);
        Tools.Run run = Tools.run(ProjectFiles.ROOT, List.of(promtool.toString(), "test", "rules", test.toString()));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    /**
     * The rule's annotations with its label templates filled in, as a YAML flow mapping
     * of quoted strings.
     */
    private static String annotations(String alert, String model, String instance) {
        Map<String, Object> annotations = map(rulesByAlert().get(alert).get("annotations"));
        StringBuilder flow = new StringBuilder("{");
        annotations.forEach((key, value) -> {
            String text = value.toString();
            if (model != null) {
                text = text.replace("{{ $labels.model }}", model);
            }
            if (instance != null) {
                text = text.replace("{{ $labels.instance }}", instance);
            }
            assertThat(text).as("unfilled template in %s", alert).doesNotContain("{{");
            flow.append(flow.length() > 1 ? ", " : "").append(key).append(": ").append(quoted(text));
        });
        return flow.append('}').toString();
    }

    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

}
