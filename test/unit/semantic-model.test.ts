import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../core/engine/load-definitions.ts';
import type { ModelDefinition } from '../../core/engine/model-definition.ts';
import { projectPaths } from '../../core/paths.ts';
import { readCubeModel, resolveCubeModel, SemanticLayerError } from '../../core/semantic/cube-model.ts';
import { semanticViewsOf } from '../../core/semantic/semantic-schema.ts';

async function project() {
  const { models } = await loadDefinitions(projectPaths.models, []);
  return { models: models.map((m) => m.definition), files: await readCubeModel(projectPaths.cubeModel) };
}

/** The model with one column renamed, as a model author would leave it without touching Cube. */
function renamed(models: readonly ModelDefinition[], model: string, from: string, to: string) {
  return models.map((m) => {
    if (m.name !== model) return m;
    const { [from]: column, ...rest } = m.columns;
    return { ...m, columns: { ...rest, [to]: column! } };
  });
}

describe('one source of truth for the semantic layer', () => {
  it('gives every member of every view a title, from the model column it exposes', async () => {
    const { models, files } = await project();
    const resolved = resolveCubeModel(files, models);
    const mart = models.find((m) => m.name === 'fct_department_charges_monthly')!;
    const view = resolved.flatMap((f) => f.views).find((v) => v.name === 'department_charge_analysis')!;
    const member = (name: string) => [...view.dimensions!, ...view.measures!].find((m) => m.name === name)!;
    expect(member('hospital_name').title).toBe(mart.columns.hospital_name!.title);
    expect(member('total_charge_amount')).toMatchObject({
      title: mart.columns.charge_amount!.title,
      format: 'currency',
    });
    for (const entry of resolved.flatMap((f) => f.views)) {
      for (const m of [...(entry.dimensions ?? []), ...(entry.measures ?? [])]) {
        expect(m.title, `${entry.name}.${m.name}`).toBeTruthy();
      }
    }
  });

  it('fails, naming the Cube member, when a mart column is renamed without touching the Cube model', async () => {
    const { models, files } = await project();
    const changed = renamed(models, 'fct_department_charges_monthly', 'charge_amount', 'charge_total');
    expect(() => resolveCubeModel(files, changed)).toThrow(SemanticLayerError);
    expect(() => resolveCubeModel(files, changed)).toThrow(
      /Cube member department_charges\.total_charge_amount .* reads column charge_amount, which model fct_department_charges_monthly does not have/,
    );
  });

  it('refuses a title written twice that disagrees with the model column', async () => {
    const { models, files } = await project();
    const edited = files.map((f) => ({
      ...f,
      views: f.views.map((v) =>
        v.name === 'department_charge_analysis'
          ? {
              ...v,
              dimensions: v.dimensions!.map((d) =>
                d.name === 'hospital_name' ? { ...d, title: '机构名称' } : d,
              ),
            }
          : v,
      ),
    }));
    expect(() => resolveCubeModel(edited, models)).toThrow(
      /Cube member department_charge_analysis\.hospital_name has title "机构名称" but/,
    );
  });

  it('publishes one semantic view per Cube view: dimensions, additive measures, ratios as formulas', async () => {
    const { models, files } = await project();
    const views = semanticViewsOf(resolveCubeModel(files, models));
    const cubeViews = files.flatMap((f) => f.views).map((v) => v.name);
    expect(views.map((v) => v.name).sort()).toEqual([...cubeViews].sort());
    const charges = views.find((v) => v.name === 'department_charge_analysis')!;
    expect(charges.source).toBe('marts.fct_department_charges_monthly');
    expect(charges.hospitalScoped).toBe(true);
    expect(charges.columns.map((c) => c.name)).toContain('drug_charge_amount');
    expect(charges.columns.map((c) => c.name)).not.toContain('drug_charge_ratio');
    expect(charges.comment).toContain(
      '药占比（drug_charge_ratio）= sum(drug_charge_amount) / nullif(sum(total_charge_amount), 0)',
    );
    expect(views.find((v) => v.name === 'alliance_charge_benchmark')!.hospitalScoped).toBe(false);
    expect(views.find((v) => v.name === 'exception_review')!.stewardOnly).toBe(true);
  });
});
