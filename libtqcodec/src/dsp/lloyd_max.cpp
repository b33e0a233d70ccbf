// placeholder until the turbo work lands
