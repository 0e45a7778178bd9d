-- Every response once in mart_responses, and every raw response there.
select 'mart_responses: response_id not unique or responses missing' as problem
from (select count(*) as n, count(distinct response_id) as keys from mart_responses) m,
     (select count(*) as n from raw_surveys) r
where m.n <> m.keys or m.n <> r.n
