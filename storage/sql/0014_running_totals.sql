-- Running totals: what the pushes need of a project's history, kept up to date as reports
-- arrive (storage.totals.report_stored, in the report's own transaction), so the weekly
-- scores, the bulletin and /status read the period's reports and these, never years of them.
-- The year's cumulative investment is projects.done_yuan / done_year already.
ALTER TABLE projects ADD COLUMN last_report_on TEXT;  -- report_date of the latest report
ALTER TABLE projects ADD COLUMN last_real_on TEXT;    -- ... whose latest revision is real progress

UPDATE projects SET
    last_report_on = (SELECT MAX(r.report_date) FROM reports r WHERE r.project_id = projects.id),
    last_real_on = (
        SELECT MAX(r.report_date) FROM reports r
          JOIN report_revisions v ON v.report_id = r.id
         WHERE r.project_id = projects.id AND v.real_progress = 1
           AND v.revision = (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)
    );

-- The year's monthly plans are read for every project at once (WHERE year = ?): without this
-- index that read scans every year's plans.
CREATE INDEX monthly_plans_year ON monthly_plans(year, project_id, month, plan_yuan);
