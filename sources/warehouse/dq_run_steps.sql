-- Data quality: the steps of the last 30 nightly runs (ops.run_steps): name, status, duration,
-- rows. Step names are fixed strings of the pipeline.
select
  s.run_id,
  s.step_no,
  s.step,
  s.status,
  s.seconds,
  s.rows
from ops.run_steps s
join (select run_id from ops.runs order by started_at desc limit 30) r on r.run_id = s.run_id
order by s.run_id desc, s.step_no
