-- Every cent of the standardised charge lines reaches the monthly mart: returns the hospitals and
-- months whose totals differ.
with lines as (
  select hospital_code, charge_month as month, sum(amount) as amount
  from {{ ref('int_charge_lines__standardised') }}
  group by 1, 2
),

mart as (
  select hospital_code, month, sum(charge_amount) as amount
  from {{ ref('fct_department_charges_monthly') }}
  group by 1, 2
)

select coalesce(l.hospital_code, m.hospital_code) as hospital_code, coalesce(l.month, m.month) as month,
       l.amount as line_amount, m.amount as mart_amount
from lines l
full join mart m on m.hospital_code = l.hospital_code and m.month = l.month
where l.amount is distinct from m.amount
