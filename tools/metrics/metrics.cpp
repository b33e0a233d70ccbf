// placeholder until the tool work lands
