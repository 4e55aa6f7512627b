-- Data quality: latest result of every data test (ops.data_test_results): model, test, severity,
-- failing row count, status. The test SQL is not shipped.
select
  model,
  test,
  severity,
  failures,
  status,
  tested_at
from ops.data_test_results
order by case status when 'fail' then 0 when 'warn' then 1 else 2 end, model, test
