-- Every contact counted once in mart_contacts.
select 'mart_contacts: contact_id not unique or contacts missing' as problem
from (select count(*) as n, count(distinct contact_id) as keys from mart_contacts) m,
     (select count(*) as n from raw_contacts) r
where m.n <> m.keys or m.n <> r.n
