/**
 * Custom forms (自定义表单): definitions checked on save, submissions processed against
 * them (formulas, conditional visibility and required-ness, detail rows), templates.
 * Reference: docs/forms.md.
 */
export { analyzeForm, validateFormDefinition, formModel, FormDefinitionError, DETAIL_RESERVED, type DefinitionContext, type FormModel } from './definition';
export { processSubmission, detailTotals, type SubmissionOptions, type SubmissionResult } from './submission';
export { submissionSchema, documentSchema } from './schema';
export { listFormTemplates, formTemplate, type FormTemplateSummary } from './templates';
export { formToEntities, formEntityNames, formRecordsPlural, FORMS_PLUGIN } from './entities';
export { FormService, FORM_ADMIN_RESOURCE, type FormSummary } from './service';
export { FormRecords, dataFormGuard } from './records';
export { RuntimeDataForms, dataFormEntities, type DataFormApplier } from './runtime';
